import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./rules";

/**
 * hbnb-stack's guardrails, run by the Pulumi CLI:
 *   pulumi preview --policy-pack policy
 * Every resource of the stack is checked before anything is created; a mandatory violation
 * stops the preview or the update. The rules are in rules.ts.
 */
new PolicyPack("hbnb-stack-guardrails", { policies: POLICIES });
