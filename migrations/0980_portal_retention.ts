import type { Knex } from 'knex';

/**
 * Portal-sync retention (server/portal-sync/): acknowledged outbox rows older than
 * `PORTAL_RETENTION_DAYS` are purged by a background job. A dossier's next record number must not
 * depend on rows that may be gone (a reused `<code>:<seq>` would be a duplicate to the portal), so
 * the counter moves to the dossier row (`portal_seq`), bumped by the trigger — the status change
 * already holds that row's lock, so concurrent changes of one dossier stay serialised.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table dossier add column if not exists portal_seq integer not null default 0');
  await knex.raw(`update dossier d set portal_seq = m.s from (select dossier_id, max(seq) as s from portal_outbox group by dossier_id) m where m.dossier_id = d.id`);
  await knex.raw(`
    create or replace function portal_outbox_enqueue() returns trigger language plpgsql as $$
    declare next_seq integer;
    begin
      update dossier set portal_seq = portal_seq + 1 where id = new.dossier_id returning portal_seq into next_seq;
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
  await knex.raw(`create index if not exists portal_outbox_acked_at on portal_outbox (acked_at) where state = 'acked'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists portal_outbox_acked_at');
  await knex.raw(`
    create or replace function portal_outbox_enqueue() returns trigger language plpgsql as $$
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
  await knex.raw('alter table dossier drop column if exists portal_seq');
}
