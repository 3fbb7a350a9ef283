import { en } from './en.js';
import { vi } from './vi.js';

export type Lang = 'vi' | 'en';
export type MessageKey = keyof typeof vi;
export const messages: { vi: typeof vi; en: Record<MessageKey, string> } = { vi, en };
