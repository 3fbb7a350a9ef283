import type { Knex } from 'knex';
import type { ProcessDeployer } from './types.js';

/** The part of server/engine's createEngine result the lifecycle uses. */
export interface EngineLike {
  deploy(input: { name?: string; source?: string; resources: Array<{ name: string; content: string }> }): Promise<{ id: string; deployedProcessDefinitions: Array<{ id: string }> }>;
  checkDeployable(xml: string): Promise<Array<{ elementId?: string; message: string }>>;
  setDefinitionSuspended?(id: string, suspended: boolean, trx?: Knex.Transaction): Promise<void>;
}

/** The part of server/engine's createInstanceMigrator result the lifecycle uses. */
export interface MigratorLike {
  planMigration: NonNullable<ProcessDeployer['planMigration']>;
  migrateInstances(fromDefinitionId: string, toDefinitionId: string, instanceIds: string[], actor: string | null): ReturnType<NonNullable<ProcessDeployer['migrateInstances']>>;
}

/** Adapts the engine to the lifecycle's ProcessDeployer: one resource in, one definition out; migration when a migrator is given. */
export function deployerFromEngine(engine: EngineLike, migrator?: MigratorLike): ProcessDeployer {
  const deployer: ProcessDeployer = {
    async deploy(input) {
      const d = await engine.deploy({ name: input.name, source: input.source, resources: input.resources });
      const def = d.deployedProcessDefinitions[0];
      if (!def) throw new Error(`deployment ${d.id} produced no process definition`);
      return { deploymentId: d.id, definitionId: def.id };
    },
    checkDeployable: (xml) => engine.checkDeployable(xml),
  };
  if (engine.setDefinitionSuspended) {
    const suspend = engine.setDefinitionSuspended.bind(engine);
    deployer.suspend = (definitionId, trx) => suspend(definitionId, true, trx);
  }
  if (migrator) {
    deployer.planMigration = (from, to) => migrator.planMigration(from, to);
    deployer.migrateInstances = (input) => migrator.migrateInstances(input.fromDefinitionId, input.toDefinitionId, input.instanceIds, input.actor);
  }
  return deployer;
}
