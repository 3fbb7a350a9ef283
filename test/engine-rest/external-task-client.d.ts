// camunda-external-task-client-js ships no types; this is the part the engine tests and bench use.
declare module 'camunda-external-task-client-js' {
  export interface TypedValue { value: unknown; type: string; valueInfo?: Record<string, unknown> }
  export class Variables {
    get(name: string): any;
    getAll(): Record<string, unknown>;
    set(name: string, value: unknown): Variables;
    setTyped(name: string, typed: TypedValue): Variables;
  }
  export interface Task {
    id?: string;
    businessKey?: string;
    topicName?: string;
    processInstanceId?: string;
    variables: Variables;
  }
  export interface TaskService {
    complete(task: Task, processVariables?: Variables, localVariables?: Variables): Promise<void>;
    handleFailure(task: Task, options: { errorMessage?: string; errorDetails?: string; retries?: number; retryTimeout?: number }): Promise<void>;
    handleBpmnError(task: Task, errorCode: string, errorMessage?: string, variables?: Variables): Promise<void>;
    extendLock(task: Task, newDuration: number): Promise<void>;
    unlock(task: Task): Promise<void>;
  }
  export type Handler = (args: { task: Task; taskService: TaskService }) => Promise<void> | void;
  export class Client {
    constructor(options: Record<string, unknown>);
    subscribe(topic: string, options: Record<string, unknown>, handler: Handler): { unsubscribe(): void };
    subscribe(topic: string, handler: Handler): { unsubscribe(): void };
    start(): void;
    stop(): void;
    on(event: string, cb: (...args: any[]) => void): void;
  }
  export class BasicAuthInterceptor {
    constructor(options: { username: string; password: string });
  }
  export const logger: unknown;
}
