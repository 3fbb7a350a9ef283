import type { Knex } from 'knex';

/**
 * Workers' effects and the notifications they send.
 * `worker_effect.key` is the idempotency key of an effect: the dossier and the kind of effect
 * (e.g. `HS-0001:citizen:accepted`), never the delivery, so a task delivered twice (lock expired,
 * worker killed, two workers) finds the effect already there and does nothing. Keys hold dossier
 * codes and kinds only, never personal values.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('worker_effect', (t) => {
    t.text('key').primary();
    t.text('kind').notNullable();
    t.text('dossier_code');
    t.jsonb('result');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('notification', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('recipient').notNullable(); // username of a staff member
    t.text('template').notNullable();
    t.text('title').notNullable();
    t.text('body').notNullable();
    t.text('dossier_code');
    t.text('link');
    t.text('effect_key').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('read_at', { useTz: true });
    t.unique(['effect_key', 'recipient']);
    t.index(['recipient', 'created_at']);
  });
  // Email and SMS to citizens and agencies: an outbox. The address is kept only until delivery
  // succeeds (it is personal data); the row keeps the channel, template and outcome for the record.
  await knex.schema.createTable('notification_delivery', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('effect_key').notNullable().references('worker_effect.key');
    t.text('channel').notNullable(); // email | sms
    t.text('address'); // cleared once sent
    t.text('template').notNullable();
    t.text('subject').notNullable();
    t.text('body').notNullable();
    t.text('status').notNullable().defaultTo('pending'); // pending | sent | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('error');
    t.timestamp('claimed_at', { useTz: true }); // a sender that died mid-send is taken over after a while
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.unique(['effect_key', 'channel']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('notification_delivery');
  await knex.schema.dropTableIfExists('notification');
  await knex.schema.dropTableIfExists('worker_effect');
}
