// Packages that ship without type declarations.
declare module 'bpmn-js-properties-panel' {
  type ModuleDeclaration = import('didi').ModuleDeclaration;
  export const BpmnPropertiesPanelModule: ModuleDeclaration;
  export const BpmnPropertiesProviderModule: ModuleDeclaration;
  export const CamundaPlatformPropertiesProviderModule: ModuleDeclaration;
  /** A diagram-js service inside a panel component (a Preact hook); the caller names its type. */
  export function useService<T = unknown>(name: string, strict?: boolean): T;
}
declare module '@bpmn-io/properties-panel' {
  /** A panel entry component; its props are the entry's own (element, id, label, getValue, setValue, …). */
  type Entry = (props: Record<string, unknown>) => unknown;
  /** Whether an entry's field holds a value (the panel marks the group as edited). */
  type IsEdited = (node: HTMLElement) => boolean;
  export const SelectEntry: Entry;
  export const TextFieldEntry: Entry;
  export const TextAreaEntry: Entry;
  export const CheckboxEntry: Entry;
  export const isTextAreaEntryEdited: IsEdited;
  export const isSelectEntryEdited: IsEdited;
  export const isTextFieldEntryEdited: IsEdited;
  export const isCheckboxEntryEdited: IsEdited;
}
declare module '@bpmn-io/properties-panel/preact' {
  export function h(type: unknown, props?: Record<string, unknown> | null, ...children: unknown[]): unknown;
}
declare module 'camunda-bpmn-moddle/resources/camunda.json' {
  /** A moddle package descriptor (name, uri, prefix, types, …). */
  const descriptor: Record<string, unknown>;
  export default descriptor;
}
declare module 'bpmnlint/lib/linter.js' {
  export default class Linter {
    constructor(options: { config: unknown; resolver: unknown });
    lint(definitions: unknown): Promise<Record<string, Array<{ id?: string; message: string; category: string }>>>;
  }
}
declare module 'bpmnlint/rules/*' {
  /** A bpmnlint rule factory: `() => { check(node, reporter) }`, handed to the linter's resolver as is. */
  const rule: () => { check(node: unknown, reporter: unknown): void };
  export default rule;
}
declare module 'pdfmake/build/pdfmake.js' {
  /** The part of pdfmake's browser build the annex export uses (0.2 calls back, 0.3 returns promises). */
  interface PdfDocument {
    getBlob(cb?: (blob: Blob) => void): Promise<Blob> | void;
    getBuffer(cb?: (buffer: Uint8Array<ArrayBuffer>) => void): Promise<Uint8Array<ArrayBuffer>>;
  }
  const pdfMake: { createPdf(definition: unknown): PdfDocument; setFonts?(fonts: unknown): void };
  export default pdfMake;
}
declare module 'pdfmake/build/vfs_fonts.js' {
  const vfs: Record<string, string>;
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
