import type { Knex } from 'knex';
import type { WorkingCalendar } from '../calendar/index.js';
import type { Logger } from '../log.js';
import type { ConsultationService } from './service.js';

/**
 * Demo mode: a few consultations from the commune's processing dossiers to the provincial department
 * (Sở Nông nghiệp và Môi trường, login `chuyenvien.stnmt`): one on time, one near its deadline, one
 * overdue (its reply needs an explanation). Not tied to a process step (no reply message to deliver);
 * they show on the dossiers' history like real ones.
 */
export async function seedDemoConsultations(deps: { knex: Knex; consultations: ConsultationService; calendar: WorkingCalendar; log: Logger }): Promise<void> {
  if (await deps.knex('consultation').first('id')) return;
  const dossiers = await deps.knex('dossier').where({ unit_id: 'xa-phu-long', status: 4 }).orderBy('received_at').limit(3).select<Array<{ code: string }>>('code');
  const plans = [
    { ago: 1, deadline: '5d', question: 'Đề nghị cho ý kiến về sự phù hợp quy hoạch sử dụng đất của thửa đất số 125, tờ bản đồ số 8, xã Phú Long.' },
    { ago: 1, deadline: '1.5d', question: 'Đề nghị xác nhận thửa đất không thuộc khu vực bảo vệ nguồn nước, hành lang an toàn công trình thủy lợi.' },
    { ago: 4, deadline: '2d', question: 'Đề nghị cho ý kiến về hiện trạng sử dụng đất và nguồn gốc đất trước khi cấp phép xây dựng.' },
  ];
  for (const [i, d] of dossiers.entries()) {
    const plan = plans[i]!;
    const sentAt = deps.calendar.subtract(new Date(), { workingDays: plan.ago }, 'stnmt');
    await deps.consultations.open({
      dossierCode: d.code, stepKey: `Demo_Consult_${i + 1}`, consultAgency: 'stnmt', replyDeadline: plan.deadline, question: plan.question, requestingUnitId: 'xa-phu-long',
    }, { sentAt, detached: true, stepName: 'Lấy ý kiến Sở Nông nghiệp và Môi trường' }).catch((err: Error) => deps.log.warn({ err: err.message }, 'demo consultation skipped'));
  }
}
