/**
 * Input event vocabulary shared by behaviour (which produces events), the agent
 * (which captures them) and the wire format. Numeric codes are stable: they
 * are stored in typed arrays and written to the wire.
 */

export const EventType = {
  keydown: 0,
  keyup: 1,
  mousemove: 2,
  mousedown: 3,
  mouseup: 4,
  wheel: 5,
} as const;
export type EventTypeName = keyof typeof EventType;
export type EventTypeCode = (typeof EventType)[EventTypeName];
export const EVENT_TYPE_NAMES: readonly EventTypeName[] = ['keydown', 'keyup', 'mousemove', 'mousedown', 'mouseup', 'wheel'];

/**
 * Where the input went. Sensitive contexts (password and later) are the ones
 * whose content must never leave the laptop.
 */
export const InputContext = {
  none: 0,
  text: 1,
  chat: 2,
  code: 3,
  form: 4,
  email: 5,
  password: 6,
  payment: 7,
  national_id: 8,
  private_window: 9,
} as const;
export type InputContextName = keyof typeof InputContext;
export type InputContextCode = (typeof InputContext)[InputContextName];
export const INPUT_CONTEXT_NAMES: readonly InputContextName[] = [
  'none',
  'text',
  'chat',
  'code',
  'form',
  'email',
  'password',
  'payment',
  'national_id',
  'private_window',
];

/** First code of the sensitive contexts: every code >= this one is sensitive. */
export const FIRST_SENSITIVE_CONTEXT = InputContext.password;

export function isSensitiveContext(code: number): boolean {
  return code >= FIRST_SENSITIVE_CONTEXT;
}

export const MouseButton = { none: 0, left: 1, right: 2, middle: 3 } as const;
export type MouseButtonName = keyof typeof MouseButton;
export const MOUSE_BUTTON_NAMES: readonly MouseButtonName[] = ['none', 'left', 'right', 'middle'];

/** Bit flags on an event. */
export const EventFlag = {
  /** Part of a planted canary (synthetic secret): must never reach the store. */
  canary: 1,
  /** A keystroke that is a typing error, later corrected or left in. */
  typo: 2,
  /** A keystroke that corrects an error (Backspace in a correction run). */
  correction: 4,
} as const;

/**
 * Key code of a redacted keystroke: the agent removed its content but kept
 * its timing (DESIGN.md, sensitive content). Never a real key code.
 */
export const REDACTED_KEY = -1;
