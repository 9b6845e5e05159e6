/** The documents modal in Block Kit: which document, what format, the adult's details if they are needed. */
import { asModal, DOCUMENTS_CALLBACK, LIMITS, mrkdwn, option, plain, type ModalView, type Raw } from './blocks';

/**
 * The modal a role holder asks for a document in: which, in what format, and (privately, in the
 * modal, never in a chat) the adult's details where they have not been given or need correcting.
 */
export function documentsModal(
  reference: string,
  choices: ReadonlyArray<{ kind: string; label: string }>,
  detailsGiven: boolean,
): ModalView {
  const optionalText = (id: string, label: string, placeholder: string, max: number): Raw => ({
    type: 'input',
    block_id: id,
    optional: true,
    label: plain(label, LIMITS.label),
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      max_length: max,
      placeholder: plain(placeholder, LIMITS.placeholder),
    },
  });
  return asModal({
    type: 'modal',
    callback_id: DOCUMENTS_CALLBACK,
    title: plain(`Documents: ${reference}`, LIMITS.modalTitle),
    submit: plain('Send it to me', LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: JSON.stringify({ reference }),
    blocks: [
      {
        type: 'input',
        block_id: 'document',
        label: plain('Which document', LIMITS.label),
        element: {
          type: 'static_select',
          action_id: 'value',
          initial_option: option(choices[0]?.kind ?? 'case-record', choices[0]?.label ?? 'Case record'),
          options: choices.slice(0, LIMITS.options).map((c) => option(c.kind, c.label)),
        },
      },
      {
        type: 'input',
        block_id: 'format',
        label: plain('Format', LIMITS.label),
        element: {
          type: 'radio_buttons',
          action_id: 'value',
          initial_option: option('pdf', 'PDF'),
          options: [option('pdf', 'PDF'), option('docx', 'Word (DOCX)')],
        },
      },
      {
        type: 'section',
        text: mrkdwn(
          detailsGiven
            ? "The adult's details are on the case (sealed). Fill these in only to correct them."
            : "The forms and the case record naming the adult need the adult's details. They are kept sealed and appear only in documents a role holder asks for.",
          LIMITS.sectionText,
        ),
      },
      optionalText('name', "The adult's full name", 'As on your agency’s record', 200),
      optionalText('dateOfBirth', 'Date of birth', 'YYYY-MM-DD', 10),
      optionalText('address', 'Address', 'Where the adult lives', 500),
      {
        type: 'context',
        elements: [
          mrkdwn(
            'The document comes to you in a direct message from the bot. It is not posted in the case channel.',
            LIMITS.sectionText,
          ),
        ],
      },
    ],
  });
}
