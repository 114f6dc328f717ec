import type { RoleName } from '../../../population/roles.js';
import type { TypingContextName } from './contexts.js';

export type TypingContextWeights = Readonly<Record<TypingContextName, number>>;

/**
 * Share of typed characters per context for each role (relative weights).
 * Assumption throughout: no published breakdown of office typing by
 * destination was found. Shapes: engineers mostly code and chat; managers and
 * sales e-mail; support chat; finance and HR forms, with payments and national
 * ids more often. Sensitive contexts are small shares of characters but many
 * short entries: at ≈ 8,000 keystrokes a day, 1.2 % of characters in password
 * fields is about six logins, 0.4 % in payment forms one checkout in three days.
 */
export const ROLE_TYPING_CONTEXT_WEIGHTS: Readonly<Record<RoleName, TypingContextWeights>> = {
  engineer: { code: 45, chat: 25, text: 10, email: 10, form: 3, private_window: 2, password: 1.2, payment: 0.4, national_id: 0.05 },
  designer: { code: 3, chat: 30, text: 25, email: 25, form: 8, private_window: 2, password: 1.2, payment: 0.4, national_id: 0.05 },
  manager: { code: 0.3, chat: 25, text: 20, email: 45, form: 5, private_window: 2, password: 1.2, payment: 0.4, national_id: 0.05 },
  analyst: { code: 15, chat: 20, text: 30, email: 20, form: 10, private_window: 2, password: 1.2, payment: 0.4, national_id: 0.1 },
  sales: { code: 0, chat: 20, text: 8, email: 45, form: 20, private_window: 2, password: 1.2, payment: 1.5, national_id: 0.1 },
  support: { code: 0.3, chat: 45, text: 8, email: 20, form: 20, private_window: 2, password: 1.2, payment: 1, national_id: 0.5 },
  finance: { code: 0, chat: 15, text: 15, email: 25, form: 35, private_window: 2, password: 1.2, payment: 3, national_id: 1 },
  hr: { code: 0, chat: 15, text: 15, email: 30, form: 30, private_window: 2, password: 1.2, payment: 0.4, national_id: 3 },
  legal: { code: 0, chat: 10, text: 50, email: 30, form: 5, private_window: 2, password: 1.2, payment: 0.3, national_id: 0.3 },
};
