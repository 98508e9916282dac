/** A problem the user can act on (bad path, port in use…); shown as one line, no stack. */
export class UserError extends Error {
  override name = 'UserError';
}
