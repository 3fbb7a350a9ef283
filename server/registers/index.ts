/** Registers for print: the tracking register, form 07 (PDF, DOCX, XLSX). */
export { createRegistersRouter } from './router.js';
