/**
 * Rendering a RecordDocument as PDF (pdfkit) and as Word (docx), in memory. The PDF embeds DejaVu
 * Sans (from the dejavu-fonts-ttf package, subset to the letters used), so names such as
 * "Zoë Łukasiewicz" or "Σοφία" print as written; PDF's built-in Helvetica covers Latin-1 only.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { RecordDocument } from './document';

const FONTS = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const REGULAR = join(FONTS, 'DejaVuSans.ttf');
const BOLD = join(FONTS, 'DejaVuSans-Bold.ttf');
const ITALIC = join(FONTS, 'DejaVuSans-Oblique.ttf');

export async function toPdf(doc: RecordDocument, options: { compress?: boolean } = {}): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margin: 50,
    compress: options.compress ?? true,
    info: { Title: doc.title, Subject: doc.subtitle ?? '', Creator: 'Safeguarding escalations bot' },
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  pdf.registerFont('Regular', REGULAR);
  pdf.registerFont('Bold', BOLD);
  pdf.registerFont('Italic', ITALIC);
  const width = pdf.page.width - 100;
  pdf.font('Bold').fontSize(16).text(doc.title, { width });
  if (doc.subtitle)
    pdf
      .moveDown(0.3)
      .font('Regular')
      .fontSize(11)
      .fillColor('#444444')
      .text(doc.subtitle, { width })
      .fillColor('black');
  if (doc.notice) pdf.moveDown(0.5).font('Italic').fontSize(9).text(doc.notice, { width });
  for (const block of doc.blocks) {
    pdf.moveDown(0.8);
    switch (block.kind) {
      case 'heading':
        pdf.font('Bold').fontSize(12).text(block.text, { width });
        break;
      case 'paragraph':
        pdf.font('Regular').fontSize(10).text(block.text, { width });
        break;
      case 'fields':
        for (const row of block.rows) {
          pdf.font('Bold').fontSize(10).text(row.label, { width });
          pdf
            .font('Regular')
            .fontSize(10)
            .text(row.value || '—', { width, indent: 12 });
          pdf.moveDown(0.4);
        }
        break;
      case 'table': {
        // A table as one entry a row: wide tables do not fit A4 columns legibly.
        for (const row of block.rows) {
          const line = row.map((cell, i) => `${block.columns[i] ?? ''}: ${cell}`).join('  ·  ');
          pdf.font('Regular').fontSize(9).text(line, { width });
          pdf.moveDown(0.3);
        }
        break;
      }
    }
  }
  pdf.end();
  return done;
}

const cell = (text: string, bold = false): TableCell =>
  new TableCell({
    children: text.split('\n').map((line) => new Paragraph({ children: [new TextRun({ text: line, bold })] })),
    width: { size: 50, type: WidthType.PERCENTAGE },
  });

export async function toDocx(doc: RecordDocument): Promise<Buffer> {
  const children: Array<Paragraph | Table> = [new Paragraph({ text: doc.title, heading: HeadingLevel.TITLE })];
  if (doc.subtitle) children.push(new Paragraph({ children: [new TextRun({ text: doc.subtitle, color: '444444' })] }));
  if (doc.notice)
    children.push(new Paragraph({ children: [new TextRun({ text: doc.notice, italics: true, size: 18 })] }));
  for (const block of doc.blocks) {
    switch (block.kind) {
      case 'heading':
        children.push(new Paragraph({ text: block.text, heading: HeadingLevel.HEADING_2 }));
        break;
      case 'paragraph':
        children.push(new Paragraph({ text: block.text }));
        break;
      case 'fields':
        children.push(
          new Table({
            width: { size: 100, type: WidthType.PERCENTAGE },
            rows: block.rows.map((r) => new TableRow({ children: [cell(r.label, true), cell(r.value || '—')] })),
          }),
        );
        break;
      case 'table':
        children.push(
          new Table({
            width: { size: 100, type: WidthType.PERCENTAGE },
            rows: [
              new TableRow({ tableHeader: true, children: block.columns.map((c) => cell(c, true)) }),
              ...block.rows.map((r) => new TableRow({ children: r.map((c) => cell(c)) })),
            ],
          }),
        );
        break;
    }
    children.push(
      new Paragraph({
        text: '',
        alignment: AlignmentType.LEFT,
        border: { bottom: { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' } },
      }),
    );
  }
  const document = new Document({
    creator: 'Safeguarding escalations bot',
    title: doc.title,
    sections: [{ children }],
  });
  return Packer.toBuffer(document);
}
