/** The four component roles that send commands in the sequencer scenarios (see commands.ts). */
export const SENDER_ROLES = ['proxy', 'risk', 'router', 'gateway'] as const;
