// Validates Adaptive Cards with Microsoft's own parser (adaptivecards 3.0.6), as a 1.5 host reads them.
// stdin: a JSON array of cards. stdout: a JSON array, one {"errors": [...]} per card.
//
// Each card is checked twice: as a current client sees it, and as an older client that does not know
// Action.Execute sees it (so the Action.Submit fallbacks are parsed and checked too). A card fails on
//   - any parse warning (unknown element/action type, invalid property value, unsupported version),
//   - any validateProperties() event (duplicate ids, required input without label/errorMessage, ...),
//   - any property the parser dropped on a round trip (a misspelt or unsupported property name).
'use strict';

const { JSDOM } = require('jsdom');

const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>');
global.window = dom.window;
global.document = dom.window.document;
global.HTMLElement = dom.window.HTMLElement;
global.navigator = dom.window.navigator;

// The package's default entry point needs a bundler; the dist build runs under Node with a DOM.
const AC = require('adaptivecards/dist/adaptivecards.js');

const TARGET = AC.Versions.v1_5;

function contextFor(legacy) {
  const context = new AC.SerializationContext(TARGET);
  if (legacy) {
    const actions = new AC.CardObjectRegistry();
    AC.GlobalRegistry.populateWithDefaultActions(actions);
    actions.unregister('Action.Execute');
    context.setActionRegistry(actions);
  }
  return context;
}

// What an older client parses: each Action.Execute replaced by its fallback.
function legacyView(node) {
  if (Array.isArray(node)) return node.map(legacyView);
  if (node && typeof node === 'object') {
    if (node.type === 'Action.Execute' && node.fallback && typeof node.fallback === 'object') {
      return legacyView(node.fallback);
    }
    const copy = {};
    for (const [key, value] of Object.entries(node)) copy[key] = legacyView(value);
    return copy;
  }
  return node;
}

// The schema the parser uses for a typed object ("TextBlock", "Action.Submit", ...), if it knows it.
function schemaOf(typeName) {
  if (typeName === 'AdaptiveCard') return new AC.AdaptiveCard().getSchema();
  const registration =
    AC.GlobalRegistry.elements.findByName(typeName) || AC.GlobalRegistry.actions.findByName(typeName);
  return registration ? new registration.objectType().getSchema() : undefined;
}

// toJSON leaves out properties set to their default ("style": "compact" on a ChoiceSet), so a key
// that vanished on the round trip is only an error when the object's schema has no such property
// for card version 1.5 — a misspelling ("isMultiLine") or a newer property.
function knownProperty(typeName, key) {
  const schema = typeof typeName === 'string' ? schemaOf(typeName) : undefined;
  if (!schema) return false;
  for (let i = 0; i < schema.getCount(); i++) {
    const property = schema.getItemAt(i);
    if (property.name === key) return AC.isVersionLessOrEqual(property.targetVersion, TARGET);
  }
  return false;
}

// Properties present in the input but missing after parse + toJSON were not understood.
function dropped(input, output, path, found) {
  if (Array.isArray(input)) {
    if (!Array.isArray(output) || output.length !== input.length) {
      found.push(`${path}: ${input.length} item(s) in, ${Array.isArray(output) ? output.length : 0} out`);
      return;
    }
    input.forEach((item, i) => dropped(item, output[i], `${path}[${i}]`, found));
  } else if (input && typeof input === 'object') {
    for (const [key, value] of Object.entries(input)) {
      if (key === 'fallback') continue; // checked in the legacy pass
      if (output && typeof output === 'object' && key in output) {
        dropped(value, output[key], `${path}.${key}`, found);
      } else if (!knownProperty(input.type, key)) {
        found.push(`${path}.${key}: not a ${input.type || 'known'} property in card version 1.5`);
      }
    }
  }
}

function check(json, legacy) {
  const label = legacy ? 'fallback view' : 'current view';
  const errors = [];
  const context = contextFor(legacy);
  const card = new AC.AdaptiveCard();
  card.parse(json, context);
  for (let i = 0; i < context.eventCount; i++) {
    errors.push(`${label}: parse: ${context.getEventAt(i).message}`);
  }
  for (const event of card.validateProperties().validationEvents) {
    errors.push(`${label}: validate: ${event.message}`);
  }
  const roundTrip = card.toJSON(contextFor(legacy));
  const lost = [];
  dropped(json, roundTrip, '$', lost);
  for (const message of lost) errors.push(`${label}: ${message}`);
  return errors;
}

function validate(json) {
  if (!json || typeof json !== 'object' || json.type !== 'AdaptiveCard') {
    return ['not an AdaptiveCard object'];
  }
  const [major, minor] = String(json.version).split('.').map(Number);
  if (!(major === 1 && minor <= 5)) {
    return [`version ${json.version}: Teams renders bot cards up to version 1.5`];
  }
  return [...check(json, false), ...check(legacyView(json), true)];
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const cards = JSON.parse(input);
  process.stdout.write(JSON.stringify(cards.map((card) => ({ errors: validate(card) }))));
});
