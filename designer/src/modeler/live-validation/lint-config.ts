// bpmnlint's resolver loads rules with require(); in the browser the rules are bundled here instead
// (what bpmnlint-pack-config would generate).
import conditionalFlows from 'bpmnlint/rules/conditional-flows.js';
import endEventRequired from 'bpmnlint/rules/end-event-required.js';
import fakeJoin from 'bpmnlint/rules/fake-join.js';
import labelRequired from 'bpmnlint/rules/label-required.js';
import noDisconnected from 'bpmnlint/rules/no-disconnected.js';
import noDuplicateSequenceFlows from 'bpmnlint/rules/no-duplicate-sequence-flows.js';
import noGatewayJoinFork from 'bpmnlint/rules/no-gateway-join-fork.js';
import noImplicitSplit from 'bpmnlint/rules/no-implicit-split.js';
import singleBlankStartEvent from 'bpmnlint/rules/single-blank-start-event.js';
import startEventRequired from 'bpmnlint/rules/start-event-required.js';
import superfluousGateway from 'bpmnlint/rules/superfluous-gateway.js';

const rules: Record<string, unknown> = {
  'conditional-flows': conditionalFlows,
  'end-event-required': endEventRequired,
  'fake-join': fakeJoin,
  'label-required': labelRequired,
  'no-disconnected': noDisconnected,
  'no-duplicate-sequence-flows': noDuplicateSequenceFlows,
  'no-gateway-join-fork': noGatewayJoinFork,
  'no-implicit-split': noImplicitSplit,
  'single-blank-start-event': singleBlankStartEvent,
  'start-event-required': startEventRequired,
  'superfluous-gateway': superfluousGateway,
};

export const lintConfig = {
  rules: {
    'conditional-flows': 'error',
    'end-event-required': 'error',
    'fake-join': 'warn',
    'label-required': 'warn',
    'no-disconnected': 'error',
    'no-duplicate-sequence-flows': 'error',
    'no-gateway-join-fork': 'warn',
    'no-implicit-split': 'warn',
    'single-blank-start-event': 'error',
    'start-event-required': 'error',
    'superfluous-gateway': 'warn',
  },
};

export const lintResolver = {
  resolveRule(pkg: string, name: string): unknown {
    const rule = pkg === 'bpmnlint' ? rules[name] : undefined;
    if (!rule) throw new Error(`unknown rule <${pkg}/${name}>`);
    return rule;
  },
  resolveConfig(pkg: string, name: string): unknown {
    throw new Error(`cannot resolve config <${name}> in <${pkg}>`);
  },
};
