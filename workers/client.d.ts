// Fields of a fetched external task that the workers read, in addition to the declarations shipped
// with the tests (test/engine-rest/external-task-client.d.ts declares the module's API).
import 'camunda-external-task-client-js';

declare module 'camunda-external-task-client-js' {
  interface Task {
    retries?: number | null;
    activityId?: string;
    processDefinitionKey?: string;
    processDefinitionId?: string;
  }
}
