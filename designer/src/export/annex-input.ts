import { get } from '../api.js';
import type { Lang } from '../i18n/messages.js';
import type { ModdleElement } from '../tthc/model.js';
import { buildStepTable } from '../tthc/steps.js';
import type { Procedure, Version } from '../types.js';
import type { StepTableDoc } from './documents.js';

interface Unit { id: string; name: string; kind?: string; parentId?: string | null }
const COMMITTEES = new Set(['province', 'commune']);

/** The People's Committee above the managing agency: the one whose decision the annex belongs to. */
async function issuerOf(unitId: string | undefined): Promise<string | undefined> {
  let id = unitId;
  for (let i = 0; id && i < 6; i++) {
    const u = await get<Unit>(`/api/units/${encodeURIComponent(id)}`).catch(() => undefined);
    if (!u) return undefined;
    if (u.kind && COMMITTEES.has(u.kind)) return u.name;
    id = u.parentId ?? undefined;
  }
  return undefined;
}

/** Everything the annex needs, from the diagram, the procedure and (once approved) the decision. */
export async function annexInput(o: { definitions: ModdleElement; svg: string; proc?: Procedure; version: Pick<Version, 'number' | 'decision'>; lang: Lang; limitText?: string }): Promise<StepTableDoc> {
  const table = buildStepTable(o.definitions, o.lang);
  const branchIds = new Set(table.rows.filter((r) => r.branch).map((r) => r.elementId));
  return {
    title: o.proc?.name ?? '', code: o.proc?.code ?? '', version: o.version.number, table, svg: o.svg, lang: o.lang,
    limitText: o.limitText, branchIds,
    issuer: await issuerOf(o.proc?.managingAgencyId ?? o.proc?.agencyId),
    ...(o.version.decision ? { decision: { number: o.version.decision.number, date: o.version.decision.date, signer: o.version.decision.signer } } : {}),
  };
}
