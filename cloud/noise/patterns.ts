// The handshake patterns sealink uses (Noise rev. 34 §7.5 IK/XX, §9.4 psk modifiers).

/** A message-pattern token (§7.1). */
export type Token = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk';

export interface HandshakePattern {
  /** Pattern name as it appears in the protocol name, e.g. "IKpsk2". */
  readonly name: string;
  /** Pre-message tokens of the initiator / responder (§7.1: only "e", "s" or "e, s"). */
  readonly preInitiator: readonly Token[];
  readonly preResponder: readonly Token[];
  /** Message patterns, alternating initiator -> responder, responder -> initiator, ... */
  readonly messages: readonly (readonly Token[])[];
}

/** IK (§7.5): <- s ... -> e, es, s, ss ; <- e, ee, se */
const IK: HandshakePattern = {
  name: 'IK', preInitiator: [], preResponder: ['s'],
  messages: [['e', 'es', 's', 'ss'], ['e', 'ee', 'se']],
};

/** XX (§7.5): -> e ; <- e, ee, s, es ; -> s, se */
const XX: HandshakePattern = {
  name: 'XX', preInitiator: [], preResponder: [],
  messages: [['e'], ['e', 'ee', 's', 'es'], ['s', 'se']],
};

/** IKpsk2 (§9.4): psk at the end of the second message (WireGuard's pattern). */
const IKpsk2: HandshakePattern = {
  name: 'IKpsk2', preInitiator: [], preResponder: ['s'],
  messages: [['e', 'es', 's', 'ss'], ['e', 'ee', 'se', 'psk']],
};

/** XXpsk3 (§9.4): psk at the end of the third message. */
const XXpsk3: HandshakePattern = {
  name: 'XXpsk3', preInitiator: [], preResponder: [],
  messages: [['e'], ['e', 'ee', 's', 'es'], ['s', 'se', 'psk']],
};

export const PATTERNS = { IK, XX, IKpsk2, XXpsk3 } as const;
export type PatternName = keyof typeof PATTERNS;

/** The protocol name (§8) for our one cipher suite. */
export function protocolName(pattern: PatternName): string {
  return `Noise_${PATTERNS[pattern].name}_25519_ChaChaPoly_SHA256`;
}

/** True when the pattern has a "psk" token (§9.2: then "e" also calls MixKey). */
export function isPskPattern(pattern: HandshakePattern): boolean {
  return pattern.messages.some((m) => m.includes('psk'));
}
