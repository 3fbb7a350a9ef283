import type { Knex } from 'knex';

/**
 * The audit trail: append-only and hash-chained. `seq` is dense (1, 2, 3…) so a deleted row
 * shows up as a gap; `hash` covers the row and `prev_hash`, so an edited row breaks the chain.
 * The trigger refuses UPDATE, DELETE and TRUNCATE for every role that does not own the
 * trigger's table (and for the owner too, unless it first drops the trigger — which verify detects).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_log', (t) => {
    t.bigInteger('seq').primary();
    t.timestamp('at', { useTz: true }).notNullable();
    t.text('user_id');
    t.text('username');
    t.text('unit_id');
    t.text('role');
    t.text('action').notNullable();
    t.text('target_type');
    t.text('target_id');
    t.text('outcome').notNullable();
    t.text('request_id');
    t.text('ip');
    t.text('details'); // JSON text exactly as hashed
    t.text('prev_hash').notNullable();
    t.text('hash').notNullable();
    t.index(['at']);
    t.index(['username', 'seq']);
    t.index(['unit_id', 'seq']);
    t.index(['target_id', 'seq']);
  });
  await knex.raw(`
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
    end $$`);
  await knex.raw(`create trigger audit_log_no_update before update or delete on audit_log for each row execute function audit_log_append_only()`);
  await knex.raw(`create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_append_only()`);
  // On a server where the application connects as a role other than the owner, grants add a second wall.
  await knex.raw(`revoke update, delete, truncate on audit_log from public`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists audit_log');
  await knex.raw('drop function if exists audit_log_append_only()');
}
