/**
 * A document as plain data: the case record and the boards' forms are built as this, then
 * rendered as PDF and as Word (DOCX), so the two always say the same.
 */
export type DocumentBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  /** Label and value pairs: a form's fields. */
  | { kind: 'fields'; rows: Array<{ label: string; value: string }> }
  | { kind: 'table'; columns: string[]; rows: string[][] };

export interface RecordDocument {
  title: string;
  subtitle?: string;
  /** Shown at the top: what the document holds and who may see it. */
  notice?: string;
  blocks: DocumentBlock[];
  /** For the file name: no personal data (the case reference and what it is). */
  fileStem: string;
}

/** Every piece of text in a document, in order: for tests and for searching. */
export function documentText(doc: RecordDocument): string[] {
  const out = [doc.title, ...(doc.subtitle ? [doc.subtitle] : []), ...(doc.notice ? [doc.notice] : [])];
  for (const b of doc.blocks) {
    if (b.kind === 'heading' || b.kind === 'paragraph') out.push(b.text);
    else if (b.kind === 'fields') for (const r of b.rows) out.push(r.label, r.value);
    else out.push(...b.columns, ...b.rows.flat());
  }
  return out;
}
