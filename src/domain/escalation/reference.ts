/** Case references people can read out on the phone: NS-2026-0042. They carry no personal data. */
export function caseReference(prefix: string, year: number, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1)
    throw new RangeError(`a case sequence number starts at 1 (got ${sequence})`);
  return `${prefix}-${year}-${String(sequence).padStart(4, '0')}`;
}

const REFERENCE = /^([A-Z]{2,5})-(\d{4})-(\d{4,})$/;

export function parseCaseReference(text: string): { prefix: string; year: number; sequence: number } | undefined {
  const m = REFERENCE.exec(text.trim().toUpperCase());
  if (!m) return undefined;
  return { prefix: m[1] as string, year: Number(m[2]), sequence: Number(m[3]) };
}
