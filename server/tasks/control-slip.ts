import type { Knex } from 'knex';
import { formatLocal } from '../calendar/index.js';
import { vietnameseDateWords, type AdminDocument } from '../documents/index.js';
import type { TaskDossierRow } from './store.js';
import type { Timeline } from './timeline.js';

/** The dossier as the slip reads it (its procedure's name joined). */
interface SlipDossier { code: string; received_at: Date | null; due_at: Date | null; applicant: { fullName?: string } | null; procedure_name: string | null }


const PUNCT_VI: Record<string, string> = { early: 'Trước hạn', 'on-time': 'Đúng hạn', late: 'Quá hạn' };

/** "14 giờ 05 phút, ngày 30/11/2026" in Vietnamese time. */
function handOverTime(iso: string | null): string {
  if (!iso) return '';
  const l = formatLocal(new Date(iso));
  return `${l.slice(11, 13)} giờ ${l.slice(14, 16)} phút, ngày ${l.slice(8, 10)}/${l.slice(5, 7)}/${l.slice(0, 4)}`;
}

/**
 * Form 06 (TT 03/2025/TT-VPCP): Phiếu kiểm soát quá trình giải quyết hồ sơ, from the recorded
 * hand-overs: for each step, who handed over to whom (giao / nhận) at hh:mm on which date, and
 * whether the step finished early, on time or late.
 */
export async function buildControlSlip(knex: Knex, tl: Timeline): Promise<AdminDocument> {
  const dossier = await knex('dossier as d').leftJoin('procedure as p', 'p.id', 'd.procedure_id').where('d.instance_id', tl.instanceId)
    .first<SlipDossier | undefined>('d.code', 'd.received_at', 'd.due_at', 'd.applicant', 'p.name as procedure_name').catch(() => undefined);
  const facts = await knex<TaskDossierRow>('task_dossier').where('instance_id', tl.instanceId).first();
  const unit = tl.unitId ? await knex('org_unit').where('id', tl.unitId).first<{ name: string; parent_id: string | null } | undefined>('name', 'parent_id') : null;
  const parent = unit?.parent_id ? await knex('org_unit').where('id', unit.parent_id).first<{ name: string } | undefined>('name') : null;
  const names = new Map<string, string>((await knex('app_user').whereIn('username', tl.handOvers.map((h) => h.by).filter((x): x is string => !!x))
    .select<Array<{ username: string; display_name: string }>>('username', 'display_name')).map((u) => [u.username, u.display_name]));
  // In order of receipt, then of hand-over (a step is received the moment the previous one is handed over).
  const ordered = [...tl.handOvers].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || (a.handedOverAt ?? '\uffff').localeCompare(b.handedOverAt ?? '\uffff'));
  const done = ordered.filter((h) => h.handedOverAt);
  const rows: string[][] = done.map((h, i) => {
    const next = ordered[ordered.indexOf(h) + 1];
    const giver = `${names.get(h.by ?? '') ?? h.by ?? ''} (${h.stepName ?? h.stepKey})`;
    const taker = next ? `${next.stepName ?? next.stepKey}${next.by ? ` — ${names.get(next.by) ?? next.by}` : ''}` : 'Kết thúc quy trình';
    return [String(i + 1), `Giao: ${giver}; nhận: ${taker}`, handOverTime(h.handedOverAt), h.punctuality ? PUNCT_VI[h.punctuality]! : '', [h.outcome, h.comment].filter(Boolean).join(': ')];
  });
  const today = formatLocal(new Date()).slice(0, 10);
  const code = dossier?.code ?? facts?.code ?? tl.code ?? tl.instanceId;
  return {
    pageSize: 'A4',
    header: { parentAgency: parent?.name, agency: unit?.name ?? tl.unitId ?? '', placeDate: vietnameseDateWords(today) },
    title: 'Phiếu kiểm soát quá trình giải quyết hồ sơ',
    subtitle: [`Mã hồ sơ: ${code}`],
    body: [
      { kind: 'fields', rows: [
        { label: 'Thủ tục', value: dossier?.procedure_name ?? facts?.procedure_name ?? '' },
        { label: 'Người nộp', value: dossier?.applicant?.fullName ?? facts?.applicant_masked ?? '' },
        { label: 'Thời gian nhận hồ sơ', value: handOverTime(iso(dossier?.received_at ?? facts?.received_at)) },
        { label: 'Thời gian trả kết quả (hẹn)', value: handOverTime(iso(dossier?.due_at ?? facts?.due_at)) },
        { label: 'Cơ quan, đơn vị giải quyết', value: unit?.name ?? '' },
      ] },
      { kind: 'table', columns: [
        { title: 'STT', width: 28, align: 'center' }, { title: 'Tên cơ quan, đơn vị / người giao, nhận', width: '*' },
        { title: 'Thời gian giao, nhận hồ sơ', width: 110 }, { title: 'Kết quả giải quyết (trước / đúng / quá hạn)', width: 80, align: 'center' }, { title: 'Ghi chú', width: 100 },
      ], rows: rows.length ? rows : [['', 'Chưa có bước nào được bàn giao', '', '', '']] },
      { kind: 'paragraph', text: 'Ghi chú: Trường hợp hồ sơ được chuyển qua dịch vụ bưu chính thì thời gian giao, nhận hồ sơ và việc ký nhận thể hiện trong hóa đơn của cơ quan bưu chính.', italic: true },
    ],
    meta: { title: `Phiếu kiểm soát ${code}`, subject: 'Mẫu số 06' },
  };
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
