import { h } from '@bpmn-io/properties-panel/preact';
import { CheckboxEntry, SelectEntry, TextAreaEntry, TextFieldEntry, isCheckboxEntryEdited, isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { OutcomeFormatError, parseOutcomes } from '../../../../server/tasks/outcome-format.js';
import { useService } from 'bpmn-js-properties-panel';
import { budgetHours } from '../../../../server/calendar/budget.js';
import { FORMS, ROLES, readStep, stepUpdates, StepValueError, type ModdleElement, type StepField } from '../../tthc/model.js';

interface Shape { id: string; businessObject: ModdleElement }
type Translate = (s: string, r?: Record<string, string>) => string;
/** The one bpmn-js modeling command this panel runs (through the command stack: undo/redo follow). */
interface Modeling { updateProperties(element: Shape, properties: Record<string, unknown>): void }

function isStepElement(bo: ModdleElement): boolean {
  return !!bo.$instanceOf?.('bpmn:Activity');
}

function isTimerEvent(bo: ModdleElement): boolean {
  return !!bo.$instanceOf?.('bpmn:Event') && (bo.eventDefinitions ?? []).some((d: ModdleElement) => d.$type === 'bpmn:TimerEventDefinition');
}

/** Writes one field through the command stack, so undo/redo and the dirty state follow. */
function useSetter(element: Shape, field: StepField) {
  const modeling = useService<Modeling>('modeling');
  return (value: string | boolean) => {
    try {
      modeling.updateProperties(element, stepUpdates(field, value));
    } catch (err) {
      if (!(err instanceof StepValueError)) throw err; // invalid text stays in the field with its error
    }
  };
}

/**
 * Durations are written 80 ms after the last keystroke (the panel's default waits 300 ms), so the
 * budget bar follows the typing at once. Stable identity: the panel memoises on it.
 */
function quickDebounce(fn: (...a: unknown[]) => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last: unknown[] = [];
  const d = (...a: unknown[]) => { last = a; clearTimeout(timer); timer = setTimeout(() => { timer = undefined; fn(...last); }, 80); };
  d.flush = () => { if (timer) { clearTimeout(timer); timer = undefined; fn(...last); } };
  d.cancel = () => { clearTimeout(timer); timer = undefined; };
  return d;
}

function durationField(field: 'budget' | 'replyDeadline' | 'beforeDue', labelKey: string) {
  return function DurationEntry(props: { element: Shape; id: string }) {
    const translate: Translate = useService('translate');
    const debounce = quickDebounce;
    const set = useSetter(props.element, field);
    return h(TextFieldEntry, {
      element: props.element, id: props.id, label: translate(labelKey), debounce,
      description: translate('step.durationHint'),
      getValue: () => readStep(props.element.businessObject)[field] ?? '',
      setValue: (v: string) => set(v ?? ''),
      validate: (v: string) => (v && budgetHours(v) === undefined ? translate('step.durationInvalid') : undefined),
    });
  };
}

function textField(field: 'consultAgency', labelKey: string) {
  return function TextEntry(props: { element: Shape; id: string }) {
    const translate: Translate = useService('translate');
    const debounce = useService('debounceInput');
    const set = useSetter(props.element, field);
    return h(TextFieldEntry, {
      element: props.element, id: props.id, label: translate(labelKey), debounce,
      getValue: () => readStep(props.element.businessObject)[field] ?? '',
      setValue: (v: string) => set(v ?? ''),
    });
  };
}

/** One outcome per line in the panel ("approve:Đồng ý, trình ký"), `;` in the attribute. */
const outcomesToLines = (attr: string | undefined) => (attr ?? '').split(';').map((x) => x.trim()).filter(Boolean).join('\n');

function OutcomesEntry(props: { element: Shape; id: string }) {
  const translate: Translate = useService('translate');
  const debounce = useService('debounceInput');
  const set = useSetter(props.element, 'outcomes');
  return h(TextAreaEntry, {
    element: props.element, id: props.id, label: translate('step.outcomes'), debounce, rows: 3, monospace: false,
    description: translate('step.outcomesHint'),
    getValue: () => outcomesToLines(readStep(props.element.businessObject).outcomes),
    setValue: (v: string) => set(v ?? ''),
    validate: (v: string) => {
      try {
        parseOutcomes(v);
        return undefined;
      } catch (err) {
        const e = err as OutcomeFormatError;
        return translate(e.problem === 'duplicate-key' ? 'step.outcomeKeyDuplicate' : 'step.outcomeKeyInvalid', { key: e.key ?? '' });
      }
    },
  });
}

function RoleEntry(props: { element: Shape; id: string }) {
  const translate: Translate = useService('translate');
  const set = useSetter(props.element, 'role');
  return h(SelectEntry, {
    element: props.element, id: props.id, label: translate('step.role'),
    getValue: () => readStep(props.element.businessObject).role ?? '',
    setValue: (v: string) => set(v),
    getOptions: () => {
      const current = readStep(props.element.businessObject).role;
      const opts = [{ value: '', label: translate('step.none') }, ...ROLES.map((r) => ({ value: r, label: translate(`role.${r}`) }))];
      // A role typed elsewhere (Camunda Modeler) stays selectable instead of silently vanishing.
      if (current && !(ROLES as readonly string[]).includes(current)) opts.push({ value: current, label: current });
      return opts;
    },
  });
}

function FormEntry(props: { element: Shape; id: string }) {
  const translate: Translate = useService('translate');
  const set = useSetter(props.element, 'form');
  return h(SelectEntry, {
    element: props.element, id: props.id, label: translate('step.form'),
    getValue: () => readStep(props.element.businessObject).form ?? '',
    setValue: (v: string) => set(v),
    getOptions: () => {
      const current = readStep(props.element.businessObject).form;
      const opts = [{ value: '', label: translate('step.none') }, ...FORMS.map((f) => ({ value: f, label: translate(`form.${f}`) }))];
      if (current && !(FORMS as readonly string[]).includes(current)) opts.push({ value: current, label: current });
      return opts;
    },
  });
}

function CountsEntry(props: { element: Shape; id: string }) {
  const translate: Translate = useService('translate');
  const set = useSetter(props.element, 'countsTowardLimit');
  return h(CheckboxEntry, {
    element: props.element, id: props.id, label: translate('step.counts'),
    getValue: () => readStep(props.element.businessObject).countsTowardLimit,
    setValue: (v: boolean) => set(v),
  });
}

const BudgetEntry = durationField('budget', 'step.budget');
const ReplyDeadlineEntry = durationField('replyDeadline', 'step.replyDeadline');
const BeforeDueEntry = durationField('beforeDue', 'step.beforeDue');
const ConsultAgencyEntry = textField('consultAgency', 'step.consultAgency');

/** Adds the "Procedure step" group (our tthc:* attributes) to the Camunda properties panel. */
export default class StepPropertiesProvider {
  static $inject = ['propertiesPanel', 'translate'];

  constructor(propertiesPanel: { registerProvider(priority: number, p: unknown): void }, private translate: Translate) {
    propertiesPanel.registerProvider(400, this);
  }

  getGroups(element: Shape) {
    return (groups: Array<{ id: string }>) => {
      const bo = element.businessObject;
      const entries: Array<Record<string, unknown>> = [];
      if (isStepElement(bo)) {
        entries.push(
          { id: 'tthc-role', element, component: RoleEntry, isEdited: isSelectEntryEdited },
          { id: 'tthc-budget', element, component: BudgetEntry, isEdited: isTextFieldEntryEdited },
          { id: 'tthc-counts', element, component: CountsEntry, isEdited: isCheckboxEntryEdited },
          { id: 'tthc-form', element, component: FormEntry, isEdited: isSelectEntryEdited },
          { id: 'tthc-consultAgency', element, component: ConsultAgencyEntry, isEdited: isTextFieldEntryEdited },
          { id: 'tthc-replyDeadline', element, component: ReplyDeadlineEntry, isEdited: isTextFieldEntryEdited },
        );
        // Outcomes are what a person decides at a user task (the tasklist offers them as choices).
        if (bo.$instanceOf?.('bpmn:UserTask')) entries.push({ id: 'tthc-outcomes', element, component: OutcomesEntry, isEdited: isTextAreaEntryEdited });
      }
      if (isTimerEvent(bo)) entries.push({ id: 'tthc-beforeDue', element, component: BeforeDueEntry, isEdited: isTextFieldEntryEdited });
      if (!entries.length) return groups;
      const general = groups.findIndex((g) => g.id === 'general');
      groups.splice(general + 1, 0, { id: 'tthc-step', label: this.translate('step.group'), entries } as never);
      return groups;
    };
  }
}
