interface Group { id: string; entries?: Array<{ id: string }> }

/** Entries an official needs in the "General" group: the name (the step's title), nothing technical. */
const GENERAL_KEEP = new Set(['name']);
/** Groups shown in TTHC mode; everything else (Camunda engine internals) waits behind "advanced". */
const GROUPS_KEEP = new Set(['general', 'tthc-step']);

/**
 * The properties panel in TTHC mode shows only what an official sets: step name, role, budget,
 * counts-toward-limit, form/result, consultation agency and reply deadline, outcomes. Java class,
 * delegate expression, script, history cleanup, job execution, listeners, camunda:dueDate beside our
 * budget… appear only with the administrator's "advanced" switch. Registered last, it filters what
 * the other providers built.
 */
export default class TthcModeFilter {
  static $inject = ['propertiesPanel', 'eventBus', 'config.tthcMode'];
  private advanced: boolean;

  constructor(propertiesPanel: { registerProvider(priority: number, p: unknown): void }, private eventBus: { fire(e: string, p?: unknown): void }, config?: { advanced?: boolean }) {
    this.advanced = !!config?.advanced;
    propertiesPanel.registerProvider(1, this);
  }

  isAdvanced(): boolean {
    return this.advanced;
  }

  setAdvanced(on: boolean): void {
    this.advanced = on;
    this.eventBus.fire('propertiesPanel.providersChanged');
  }

  getGroups() {
    return (groups: Group[]) => {
      if (this.advanced) return groups;
      return groups.filter((g) => GROUPS_KEEP.has(g.id)).map((g) => (g.id === 'general'
        ? { ...g, entries: (g.entries ?? []).filter((e) => GENERAL_KEEP.has(e.id)) }
        : g)).filter((g) => (g.entries?.length ?? 1) > 0);
    };
  }
}
