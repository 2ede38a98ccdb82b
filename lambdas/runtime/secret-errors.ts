/**
 * Secrets Manager's answer for a secret that has no value at all (the stack creates the token
 * secret that way): `ResourceNotFoundException` for the AWSCURRENT stage, possibly wrapped
 * (Powertools Parameters puts the SDK's error in `cause`). Shared by the functions and the CLI.
 */
export function isSecretWithoutValue(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e.name === 'ResourceNotFoundException' && /AWSCURRENT|secret value/i.test(e.message)) return true;
  }
  return false;
}
