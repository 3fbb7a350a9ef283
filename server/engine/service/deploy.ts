import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { EngineError } from '../errors.js';
import { serializeSource } from '../host.js';
import type { Finding, ProcessModel } from '../model.js';
import { toDefinition } from '../store.js';
import type { DeployInput, Deployment } from '../types.js';
import { firstDue } from '../timer-spec.js';
import type { EngineDefinitionRow } from '../rows.js';
import type { Kernel, Trx } from './kernel.js';

/** Deployments and process definitions: compile, version, schedule start timers; definition queries. */
export function createDeployment(k: Kernel) {
  const { knex, store, compile, interpreter, latestByKey } = k;

  async function checkDeployable(xml: string): Promise<Finding[]> {
    return (await compile(xml)).findings;
  }

  async function deploy(input: DeployInput): Promise<Deployment> {
    if (!input.resources.length) throw new EngineError('engine.deployNoResource');
    const parsed: Array<{ res: DeployInput['resources'][number]; model: ProcessModel; hash: string; engineSource: string }> = [];
    for (const res of input.resources) {
      if (!/\.(bpmn|bpmn20\.xml|xml)$/i.test(res.name)) throw new EngineError('engine.notBpmnFile', { name: res.name });
      const { processes, findings } = await compile(res.content);
      if (findings.length) {
        const f = findings[0]!;
        const details = { findings: findings.map((x) => ({ resource: res.name, ...x })) };
        throw f.elementId
          ? new EngineError('engine.modelRefusedAt', { resource: res.name, elementId: f.elementId, reason: f.message }, { details, elementId: f.elementId })
          : new EngineError('engine.modelRefused', { resource: res.name, reason: f.message }, { details });
      }
      let engineSource = '';
      if (interpreter === 'bpmn-engine') try {
        engineSource = await serializeSource(res.content);
      } catch (err) {
        throw new EngineError('engine.bpmnEngineCannotLoad', { resource: res.name, reason: (err as Error).message });
      }
      const hash = crypto.createHash('sha256').update(res.content).digest('hex');
      // A collaboration of several executable processes (native only): one definition each, one resource.
      for (const model of processes) parsed.push({ res, model, hash, engineSource });
    }
    const filter = input.duplicateFiltering || input.deployChangedOnly;
    const deployment = await knex.transaction(async (trx) => {
      const deploymentId = crypto.randomUUID();
      const deploymentTime = new Date();
      await store.insertDeployment(trx, { id: deploymentId, name: input.name ?? null, source: input.source ?? null, deployment_time: deploymentTime });
      const deployed: Array<EngineDefinitionRow & { model: string }> = [];
      const resourceIds = new Map<DeployInput['resources'][number], string>();
      for (const p of parsed) {
        const key = p.model.processId;
        await store.lockDefinitionKey(trx, key);
        const latest = await store.latestDefinition(trx, key);
        if (filter && latest && latest.hash === p.hash) continue;
        let resourceId = resourceIds.get(p.res);
        if (!resourceId) {
          resourceId = crypto.randomUUID();
          resourceIds.set(p.res, resourceId);
          await store.insertResource(trx, { id: resourceId, deployment_id: deploymentId, name: p.res.name, content: p.res.content, hash: p.hash });
        }
        const version = (latest?.version ?? 0) + 1;
        const row: EngineDefinitionRow & { model: string } = {
          id: `${key}:${version}:${crypto.randomUUID()}`, key, version, version_tag: p.model.versionTag ?? null, name: p.model.name ?? null,
          deployment_id: deploymentId, resource_id: resourceId, resource_name: p.res.name, hash: p.hash,
          engine_source: p.engineSource, model: JSON.stringify(p.model), suspended: false,
        };
        await store.insertDefinition(trx, row);
        await scheduleStartTimers(trx, row.id, key, p.model);
        deployed.push(row);
      }
      return { id: deploymentId, name: input.name ?? null, source: input.source ?? null, deploymentTime, deployedProcessDefinitions: deployed.map(toDefinition) };
    });
    // Starts by key on this node take the new versions at once (other nodes find out at their next start).
    for (const d of deployment.deployedProcessDefinitions) latestByKey.delete(d.key);
    return deployment;
  }

  /** A new version replaces the previous version's start timers (Camunda does the same). */
  async function scheduleStartTimers(trx: Trx, definitionId: string, key: string, model: ProcessModel): Promise<void> {
    await store.deleteStartTimersOfKey(trx, key);
    for (const t of model.timerStarts) {
      const due = firstDue(t);
      if (!due) continue;
      await store.insertTimer(trx, {
        id: crypto.randomUUID(), instance_id: null, definition_id: definitionId, execution_id: `start:${definitionId}:${t.activityId}`,
        activity_id: t.activityId, due_at: due, repeat: t.timeCycle ?? null,
      });
    }
  }
  /** A suspended definition starts no new instance (by id or key); running ones carry on. */
  async function setDefinitionSuspended(id: string, suspended: boolean, trx?: Knex.Transaction): Promise<void> {
    if (!(await store.setDefinitionSuspended(trx ?? knex, id, suspended))) throw new EngineError('engine.definitionIdNotFound', { id });
  }

  const queries = {
    listDeployments: async (q: Parameters<typeof store.listDeployments>[1]) => {
      const rows = await store.listDeployments(knex, q);
      return rows.map((r) => ({ id: r.id, name: r.name ?? null, source: r.source ?? null, deploymentTime: r.deployment_time }));
    },
    listDefinitions: async (q: Parameters<typeof store.listDefinitions>[1]) => (await store.listDefinitions(knex, q)).map(toDefinition),
    countDefinitions: (q: Parameters<typeof store.countDefinitions>[1]) => store.countDefinitions(knex, q),
    getDefinition: async (id: string) => {
      const r = await store.definitionById(knex, id);
      if (!r) throw new EngineError('engine.definitionIdNotFound', { id });
      return toDefinition(r);
    },
    getDefinitionByKey: async (key: string) => {
      const r = await store.latestDefinition(knex, key);
      if (!r) throw new EngineError('engine.definitionKeyNotFound', { key });
      return toDefinition(r);
    },
    getDefinitionXml: async (id: string) => {
      const r = await knex('engine_resource as r').join('engine_definition as d', 'd.resource_id', 'r.id').where('d.id', id).first<{ content: string; id: string } | undefined>('r.content', 'd.id');
      if (!r) throw new EngineError('engine.definitionIdNotFound', { id });
      return { id: r.id, bpmn20Xml: r.content };
    },
  };

  return { checkDeployable, deploy, setDefinitionSuspended, ...queries };
}
