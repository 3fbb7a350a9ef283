import type { Knex } from 'knex';

/**
 * Organisation, accounts, role assignments, sessions and API tokens.
 * Unit kinds are rows, not an enum, so a province can add levels (historic districts, centres).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('org_unit_kind', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.integer('rank').notNullable(); // display order, province first
  });
  await knex('org_unit_kind').insert([
    { id: 'province', name: 'Tỉnh / Thành phố', rank: 0 },
    { id: 'agency', name: 'Sở, ban, ngành', rank: 1 },
    { id: 'centre', name: 'Trung tâm phục vụ hành chính công', rank: 1 },
    { id: 'district', name: 'Huyện (cấp huyện cũ)', rank: 2 },
    { id: 'division', name: 'Phòng, ban chuyên môn', rank: 3 },
    { id: 'commune', name: 'Xã / Phường / Đặc khu', rank: 3 },
  ]);

  await knex.schema.createTable('org_unit', (t) => {
    t.text('id').primary();
    t.text('parent_id').references('org_unit.id').onDelete('RESTRICT');
    t.text('name').notNullable();
    t.text('name_folded').notNullable();
    t.text('kind').notNullable().references('org_unit_kind.id');
    t.integer('level').notNullable().defaultTo(0); // depth in the tree, 0 = root
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['parent_id']);
  });

  await knex.schema.createTable('app_user', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('username').notNullable().unique(); // stored lower-case
    t.text('display_name').notNullable();
    t.text('display_name_folded').notNullable();
    t.text('kind').notNullable().defaultTo('user').checkIn(['user', 'service']);
    t.text('password_hash'); // null = cannot log in with a password
    t.boolean('disabled').notNullable().defaultTo(false);
    t.timestamp('password_changed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // A role held in a unit is a position; `title` is how the unit names it ("Phó Chủ tịch").
  await knex.schema.createTable('user_role', (t) => {
    t.uuid('user_id').notNullable().references('app_user.id').onDelete('CASCADE');
    t.text('role').notNullable();
    t.text('unit_id').notNullable().references('org_unit.id').onDelete('RESTRICT');
    t.text('title');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['user_id', 'role', 'unit_id']);
    t.index(['role', 'unit_id']);
  });

  // Failures are counted per username string whether or not the account exists,
  // so lockout behaviour does not reveal which usernames are real.
  await knex.schema.createTable('login_throttle', (t) => {
    t.text('username').primary();
    t.integer('failures').notNullable().defaultTo(0);
    t.timestamp('locked_until', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // Only the sha256 of the cookie value is stored: a leaked table cannot be replayed.
  await knex.schema.createTable('auth_session', (t) => {
    t.text('id').primary();
    t.uuid('user_id').notNullable().references('app_user.id').onDelete('CASCADE');
    t.text('csrf_token').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.text('ip');
    t.index(['user_id']);
    t.index(['expires_at']);
  });

  await knex.schema.createTable('api_token', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('app_user.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('token_hash').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('last_used_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['api_token', 'auth_session', 'login_throttle', 'user_role', 'app_user', 'org_unit', 'org_unit_kind']) {
    await knex.schema.dropTableIfExists(t);
  }
}
