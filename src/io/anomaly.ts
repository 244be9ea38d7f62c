/**
 * Something odd that Android tolerates (so do we): recorded, never fatal.
 * `stage` names the parser ("zip", "axml", "arsc", "dex", "signature", …).
 */
export interface Anomaly {
  stage: string;
  message: string;
  /** Absolute offset in the file where the oddity sits, when known. */
  offset?: number;
}
