import CommandInterceptor from 'diagram-js/lib/command/CommandInterceptor.js';
import { ROLES } from '../../tthc/model.js';

/**
 * Keeps tthc:role in step with camunda:candidateGroups when the groups are edited in the Camunda
 * "User assignment" group: a single known role is copied, an emptied field clears the role, and
 * anything else (several groups, custom names) leaves tthc:role for the author to set.
 */
export default class RoleSyncBehavior extends (CommandInterceptor as any) {
  static $inject = ['eventBus', 'modeling'];

  constructor(eventBus: any, modeling: any) {
    super(eventBus);
    this.postExecuted(['element.updateModdleProperties', 'element.updateProperties'], (context: any) => {
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
