// Packages that ship without type declarations.
declare module 'bpmn-js-properties-panel' {
  export const BpmnPropertiesPanelModule: any;
  export const BpmnPropertiesProviderModule: any;
  export const CamundaPlatformPropertiesProviderModule: any;
  export function useService(name: string, strict?: boolean): any;
}
declare module '@bpmn-io/properties-panel' {
  export const SelectEntry: any;
  export const TextFieldEntry: any;
  export const TextAreaEntry: any;
  export const isTextAreaEntryEdited: any;
  export const CheckboxEntry: any;
  export const isSelectEntryEdited: any;
  export const isTextFieldEntryEdited: any;
  export const isCheckboxEntryEdited: any;
}
declare module '@bpmn-io/properties-panel/preact' {
  export function h(type: any, props?: any, ...children: any[]): any;
}
declare module 'camunda-bpmn-moddle/resources/camunda.json' {
  const descriptor: any;
  export default descriptor;
}
declare module 'bpmnlint/lib/linter.js' {
  export default class Linter {
    constructor(options: { config: unknown; resolver: unknown });
    lint(definitions: unknown): Promise<Record<string, Array<{ id?: string; message: string; category: string }>>>;
  }
}
declare module 'bpmnlint/rules/*' {
  const rule: any;
  export default rule;
}
declare module 'pdfmake/build/pdfmake.js' {
  const pdfMake: any;
  export default pdfMake;
}
declare module 'pdfmake/build/vfs_fonts.js' {
  const vfs: any;
  export default vfs;
}
declare module '*.css';
declare module '*.woff?url' {
  const url: string;
  export default url;
}
declare module '@fontsource/tinos/unicode.json' {
  const ranges: Record<string, string>;
  export default ranges;
}
// bpmn-moddle 10 ships no types (the server declares it the same way in server/engine/modules.d.ts).
declare module 'bpmn-moddle';
