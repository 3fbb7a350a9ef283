import type { ProcessDeployer } from './types.js';

/** The part of server/engine's createEngine result the lifecycle uses. */
export interface EngineLike {
  deploy(input: { name?: string; source?: string; resources: Array<{ name: string; content: string }> }): Promise<{ id: string; deployedProcessDefinitions: Array<{ id: string }> }>;
  checkDeployable(xml: string): Promise<Array<{ elementId?: string; message: string }>>;
  listInstances(q: { processDefinitionId?: string; active?: boolean; maxResults?: number }): Promise<Array<{ id: string; businessKey: string | null }>>;
  listTasks(q: { processInstanceId?: string; maxResults?: number }, scope: { all: true }): Promise<Array<{ taskDefinitionKey: string }>>;
  listExternalTasks(q: { processInstanceId?: string; maxResults?: number }): Promise<Array<{ activityId: string }>>;
}

/** Adapts the engine to the lifecycle's ProcessDeployer: one resource in, one definition out. */
export function deployerFromEngine(engine: EngineLike): ProcessDeployer {
  return {
    async deploy(input) {
      const d = await engine.deploy({ name: input.name, source: input.source, resources: input.resources });
      const def = d.deployedProcessDefinitions[0];
      if (!def) throw new Error(`deployment ${d.id} produced no process definition`);
      return { deploymentId: d.id, definitionId: def.id };
    },
    checkDeployable: (xml) => engine.checkDeployable(xml),
    // Waiting user tasks and external tasks; the engine does not list timer and message waits.
    async runningInstances(definitionId) {
      const instances = await engine.listInstances({ processDefinitionId: definitionId, active: true, maxResults: 10_000 });
      const out = [];
      for (const i of instances) {
        const tasks = await engine.listTasks({ processInstanceId: i.id, maxResults: 1000 }, { all: true });
        const external = await engine.listExternalTasks({ processInstanceId: i.id, maxResults: 1000 });
        const waiting = new Set([...tasks.map((t) => t.taskDefinitionKey), ...external.map((t) => t.activityId)]);
        out.push({ instanceId: i.id, businessKey: i.businessKey, waitingActivityIds: [...waiting].sort() });
      }
      return out;
    },
  };
}
