import type Modeling from 'bpmn-js/lib/features/modeling/Modeling.js';
import type { Element } from 'bpmn-js/lib/model/Types.js';
import CommandInterceptor from 'diagram-js/lib/command/CommandInterceptor.js';
import type EventBus from 'diagram-js/lib/core/EventBus.js';
import { ROLES } from '../../tthc/model.js';

/**
 * Keeps tthc:role in step with camunda:candidateGroups when the groups are edited in the Camunda
 * "User assignment" group: a single known role is copied, an emptied field clears the role, and
 * anything else (several groups, custom names) leaves tthc:role for the author to set.
 */
/** What the property-update commands carry. */
interface UpdateContext { element: Element; properties?: { 'camunda:candidateGroups'?: string | null; [name: string]: unknown }; moddleElement?: unknown }

export default class RoleSyncBehavior extends CommandInterceptor {
  static override $inject = ['eventBus', 'modeling'];

  constructor(eventBus: EventBus, modeling: Modeling) {
    super(eventBus);
    this.postExecuted(['element.updateModdleProperties', 'element.updateProperties'], (context: UpdateContext) => {
      const props = context.properties ?? {};
      if (!('camunda:candidateGroups' in props) || 'tthc:role' in props) return; // our own panel sets both
      const element = context.element;
      const bo = element.businessObject;
      if (context.moddleElement && context.moddleElement !== bo) return;
      const groups = String(props['camunda:candidateGroups'] ?? '').trim();
      const role = bo.get('tthc:role');
      if (!groups && role) modeling.updateProperties(element, { 'tthc:role': undefined });
      else if ((ROLES as readonly string[]).includes(groups) && role !== groups) modeling.updateProperties(element, { 'tthc:role': groups });
    }, true);
  }
}
