import type { Knex } from 'knex';

/**
 * National-portal sync (server/portal-sync/): an outbox of dossier status changes, filled by a trigger
 * on `dossier_event` in the very transaction that records the change (every path that changes a
 * status writes that event, so none can forget), and the log of every delivery attempt.
 *
 * `snapshot` holds the dossier as it was at that change (raw values; the platform shapes them into
 * the JSON contract when a worker claims the record). `seq` orders one dossier's records 1, 2, 3…;
 * only a dossier's oldest pending record is ever handed out, so they reach the portal in order.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('portal_outbox', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('dossier_id').notNullable().references('dossier.id').onDelete('CASCADE');
    t.text('dossier_code').notNullable();
    t.text('unit_id').notNullable();
    t.integer('seq').notNullable();
    t.bigInteger('event_id').notNullable().unique();
    t.smallint('status').notNullable();
    t.jsonb('snapshot').notNullable();
    t.timestamp('changed_at', { useTz: true }).notNullable();
    /** pending → acked (the portal's receipt) or rejected (the portal refused it as malformed: a person must look). */
    t.text('state').notNullable().defaultTo('pending').checkIn(['pending', 'acked', 'rejected']);
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('lease_owner');
    t.timestamp('lease_until', { useTz: true });
    t.timestamp('first_sent_at', { useTz: true });
    t.timestamp('acked_at', { useTz: true });
    t.text('receipt');
    t.text('last_error');
    t.integer('last_http');
    /** When the administrators were warned that the portal had not acknowledged it (2 working hours). */
    t.timestamp('warned_at', { useTz: true });
    t.unique(['dossier_id', 'seq']);
    t.index(['state', 'next_attempt_at']);
    t.index(['unit_id', 'changed_at']);
  });
  await knex.schema.createTable('portal_sync_attempt', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('outbox_id').notNullable().references('portal_outbox.id').onDelete('CASCADE');
    t.uuid('dossier_id').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.text('outcome').notNullable().checkIn(['acked', 'rejected', 'failed']);
    t.integer('http_status');
    t.text('error');
    t.text('worker_id');
    t.integer('duration_ms');
    t.index(['dossier_id', 'id']);
    t.index(['outbox_id']);
  });
  await knex.raw(`
    create function portal_outbox_enqueue() returns trigger language plpgsql as $$
    declare next_seq integer;
    begin
      select coalesce(max(seq), 0) + 1 into next_seq from portal_outbox where dossier_id = new.dossier_id;
      insert into portal_outbox (dossier_id, dossier_code, unit_id, seq, event_id, status, snapshot, changed_at, next_attempt_at)
      select d.id, d.code, d.unit_id, next_seq, new.id, new.to_status,
        jsonb_build_object(
          'code', d.code, 'agencyCode', u.agency_code, 'unitId', d.unit_id, 'unitName', u.name,
          'procedureCode', p.code, 'procedureName', p.name, 'status', new.to_status, 'fromStatus', new.from_status,
          'changedAt', new.at, 'channel', d.channel, 'filedAt', d.filed_at, 'receivedAt', d.received_at,
          'dueAt', d.due_at, 'originalDueAt', d.original_due_at, 'pausedAt', d.paused_at,
          'resolvedAt', d.resolved_at, 'returnedAt', d.returned_at, 'collectionMethod', d.collection_method),
        new.at, new.at
      from dossier d left join procedure p on p.id = d.procedure_id left join org_unit u on u.id = d.unit_id
      where d.id = new.dossier_id;
      return null;
    end $$`);
  await knex.raw(`create trigger portal_outbox_enqueue after insert on dossier_event
    for each row when (new.kind = 'status' and new.to_status is not null) execute function portal_outbox_enqueue()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists portal_outbox_enqueue on dossier_event');
  await knex.raw('drop function if exists portal_outbox_enqueue()');
  await knex.schema.dropTableIfExists('portal_sync_attempt');
  await knex.schema.dropTableIfExists('portal_outbox');
}
