import type { Knex } from 'knex';

/**
 * The chain head (last seq + its hash), outside the log, updated in the same transaction as
 * every append. Deleting the newest audit rows leaves no gap in what remains, so only this
 * anchor shows it: verify compares the last row with the head. The head may only move forward.
 * Appends lock this one row (FOR UPDATE), which also keeps concurrent writers from forking the chain.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_chain_head', (t) => {
    t.integer('id').primary().checkIn(['1']);
    t.bigInteger('seq').notNullable();
    t.text('hash').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`
    insert into audit_chain_head (id, seq, hash)
    select 1, coalesce(max(seq), 0), coalesce((select hash from audit_log order by seq desc limit 1), repeat('0', 64)) from audit_log`);
  await knex.raw(`
    create function audit_chain_head_forward_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and new.id = old.id and new.seq > old.seq then return new; end if;
      raise exception 'audit_chain_head only moves forward (% refused)', tg_op using errcode = 'insufficient_privilege';
    end $$`);
  await knex.raw(`create trigger audit_chain_head_guard before update or delete on audit_chain_head for each row execute function audit_chain_head_forward_only()`);
  await knex.raw(`create trigger audit_chain_head_no_truncate before truncate on audit_chain_head for each statement execute function audit_chain_head_forward_only()`);
  await knex.raw(`revoke delete, truncate on audit_chain_head from public`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists audit_chain_head');
  await knex.raw('drop function if exists audit_chain_head_forward_only()');
}
