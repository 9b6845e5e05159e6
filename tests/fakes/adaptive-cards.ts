/**
 * Microsoft's own Adaptive Cards parser, as Teams' clients use it: every card a test sees is
 * parsed with it, and every warning or error it raises is a problem.
 */
import type * as AdaptiveCards from 'adaptivecards';
// The package's main entry fails on Node 20; its browser bundle parses cards without a DOM.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

/** Parse with the official Adaptive Cards parser; return every warning or error it raises. */
export function parseProblems(card: unknown): string[] {
  const context = new AC.SerializationContext();
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    problems.push(`${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  for (const e of parsed.validateProperties().validationEvents)
    problems.push(`${AC.ValidationEvent[e.event]}: ${e.message}`);
  return problems;
}
