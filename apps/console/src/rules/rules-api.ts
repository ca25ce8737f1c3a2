import { type Client, createClient } from "@connectrpc/connect";
import { useTransport } from "@connectrpc/connect-query";
import { type Alias, ProjectService, type Rule, RuleService } from "@switchyard/api";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";

/** Largest page the API serves; a scope's rules are read whole, since a reorder lists them all. */
const PAGE_SIZE = 1000;

export type RuleClient = Client<typeof RuleService>;

/** A RuleService client on the console's transport. */
export function useRuleClient(): RuleClient {
  const transport = useTransport();
  return useMemo(() => createClient(RuleService, transport), [transport]);
}

/** Query key of one scope's rules (`aliasId` "" = the project defaults). */
export function scopeRulesKey(projectId: string, aliasId: string) {
  return ["switchyard", "rules", projectId, aliasId] as const;
}

/** Every rule of one scope, in match order, across pages. */
export async function listScopeRules(
  client: RuleClient,
  projectId: string,
  aliasId: string,
): Promise<Rule[]> {
  const rules: Rule[] = [];
  let pageToken = "";
  do {
    // alias_id is a presence field: "" (set) asks for the defaults, unset would list every scope.
    const page = await client.listRules({ projectId, aliasId, pageSize: PAGE_SIZE, pageToken });
    rules.push(...page.rules);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return rules;
}

/** One scope's rules. */
export function useScopeRules(projectId: string, aliasId: string) {
  const client = useRuleClient();
  return useQuery({
    queryKey: scopeRulesKey(projectId, aliasId),
    queryFn: () => listScopeRules(client, projectId, aliasId),
  });
}

/** Every alias of a project (the scopes besides the defaults), across pages. */
export function useAliases(projectId: string) {
  const transport = useTransport();
  return useQuery({
    queryKey: ["switchyard", "aliases", projectId],
    queryFn: async () => {
      const client = createClient(ProjectService, transport);
      const aliases: Alias[] = [];
      let pageToken = "";
      do {
        const page = await client.listAliases({ projectId, pageSize: PAGE_SIZE, pageToken });
        aliases.push(...page.aliases);
        pageToken = page.nextPageToken;
      } while (pageToken !== "");
      return aliases;
    },
  });
}
