import { getLang } from '../../i18n/index.js';
import { messages, type MessageKey } from '../../i18n/messages.js';
import { bpmnVi } from './bpmn-vi.js';

/**
 * Replaces bpmn-js' identity `translate`. Our own modules pass keys of the app's translation files
 * (e.g. 'step.role'); bpmn-js, diagram-js and the properties panel pass English text, which the
 * Vietnamese dictionary covers.
 */
function translate(template: string, replacements: Record<string, string> = {}): string {
  const lang = getLang();
  const own = (messages[lang] as Record<string, string>)[template as MessageKey];
  const text = own ?? (lang === 'vi' ? bpmnVi[template] ?? template : template);
  return text.replace(/{([^}]+)}/g, (_, key: string) => replacements[key] ?? `{${key}}`);
}

export default {
  translate: ['value', translate],
};
