import type { Knex } from 'knex';
import type { WorkingCalendar } from '../calendar/index.js';
import type { Logger } from '../log.js';
import type { ConsultationService } from './service.js';

/**
 * Demo mode: a few consultations from the commune's processing dossiers to the provincial department
 * (Sở Nông nghiệp và Môi trường, login `chuyenvien.stnmt`): one on time, one near its deadline, one
 * overdue (its reply needs an explanation); and one to Sở Tư pháp, answered by its division's
 * specialist (`chuyenvien.stp`, Phòng Hành chính tư pháp). Not tied to a process step (no reply
 * message to deliver); they show on the dossiers' history like real ones.
 */
export async function seedDemoConsultations(deps: { knex: Knex; consultations: ConsultationService; calendar: WorkingCalendar; log: Logger }): Promise<void> {
  if (await deps.knex('consultation').first('id')) return;
  const dossiers = await deps.knex('dossier').where({ unit_id: 'xa-phu-long', status: 4 }).orderBy('received_at').limit(4).select<Array<{ code: string }>>('code');
  const stnmt = { agency: 'stnmt', stepName: 'Lấy ý kiến Sở Nông nghiệp và Môi trường' };
  const plans = [
    { ...stnmt, ago: 1, deadline: '5d', question: 'Đề nghị cho ý kiến về sự phù hợp quy hoạch sử dụng đất của thửa đất số 125, tờ bản đồ số 8, xã Phú Long.' },
    { ...stnmt, ago: 1, deadline: '1.5d', question: 'Đề nghị xác nhận thửa đất không thuộc khu vực bảo vệ nguồn nước, hành lang an toàn công trình thủy lợi.' },
    { ...stnmt, ago: 4, deadline: '2d', question: 'Đề nghị cho ý kiến về hiện trạng sử dụng đất và nguồn gốc đất trước khi cấp phép xây dựng.' },
    { agency: 'stp', stepName: 'Lấy ý kiến Sở Tư pháp', ago: 1, deadline: '3d', question: 'Đề nghị xác minh thông tin đăng ký hộ tịch của người yêu cầu trong Cơ sở dữ liệu hộ tịch điện tử.' },
  ];
  for (const [i, d] of dossiers.entries()) {
    const plan = plans[i]!;
    const sentAt = deps.calendar.subtract(new Date(), { workingDays: plan.ago }, plan.agency);
    await deps.consultations.open({
      dossierCode: d.code, stepKey: `Demo_Consult_${i + 1}`, consultAgency: plan.agency, replyDeadline: plan.deadline, question: plan.question, requestingUnitId: 'xa-phu-long',
    }, { sentAt, detached: true, stepName: plan.stepName }).catch((err: Error) => deps.log.warn({ err: err.message }, 'demo consultation skipped'));
  }
}
