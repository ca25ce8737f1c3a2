import type { RuleDraft } from "./rule-draft.js";

/** What each group of the rule form gets: the whole draft, to read and replace. */
export interface SectionProps {
  draft: RuleDraft;
  onChange: (draft: RuleDraft) => void;
}
