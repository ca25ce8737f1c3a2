import { useQuery } from "@connectrpc/connect-query";
import { ProjectService } from "@switchyard/api";
import { useId, useState } from "react";
import { Link } from "react-router";
import { useSession } from "../api/session.js";
import { useAliases } from "./rules-api.js";
import { ScopeRules } from "./ScopeRules.js";
import "./rules.css";

/**
 * A project's rules per scope: the project defaults, and each alias's own rules. One scope is
 * shown at a time, chosen from a list; its rules are listed in match order.
 */
export function RulesPage({ projectId }: { projectId: string }) {
  const { canEdit } = useSession();
  const project = useQuery(ProjectService.method.getProject, { id: projectId });
  const aliases = useAliases(projectId);
  const scopeId = useId();
  // "" is the project defaults (ListRules and ReorderRules take alias_id "" for them).
  const [aliasId, setAliasId] = useState("");
  // An arranged order belongs to its scope: the scope stays until it is saved or discarded.
  const [orderUnsaved, setOrderUnsaved] = useState(false);
  const alias = aliases.data?.find((a) => a.id === aliasId);
  const scopeName = alias ? `Alias ${alias.name}` : "Project defaults";
  return (
    <div className="sy-rules">
      <p>
        <Link to={`/projects/${encodeURIComponent(projectId)}`}>Back to the project</Link>
      </p>
      <h1>Rules of {project.data?.project?.name ?? projectId}</h1>
      {project.isError && (
        <p role="alert" className="field-error">
          Could not load the project: {project.error.message}
        </p>
      )}
      <p className="sy-rules-intro">
        Within a scope, the first enabled rule in the list that matches a request forwards it. An
        alias with rules of its own replaces the project defaults, unless it inherits them: then
        they are tried after its own.
      </p>
      <div className="field">
        <label htmlFor={scopeId}>Scope</label>
        <select
          id={scopeId}
          value={aliasId}
          disabled={orderUnsaved}
          aria-describedby={orderUnsaved ? `${scopeId}-locked` : undefined}
          onChange={(e) => setAliasId(e.target.value)}
          data-testid="rule-scope"
        >
          <option value="">Project defaults</option>
          {aliases.data?.map((a) => (
            <option key={a.id} value={a.id}>
              Alias {a.name}
            </option>
          ))}
        </select>
        {orderUnsaved && (
          <p id={`${scopeId}-locked`} className="sy-rules-hint">
            Save or discard the new order before choosing another scope.
          </p>
        )}
        {alias && (
          <p className="sy-rules-hint">
            {alias.inheritProjectRules
              ? "This alias inherits the project defaults: they are tried after its own rules."
              : "This alias does not inherit the project defaults: with rules of its own, only they apply."}
          </p>
        )}
        {aliases.isError && (
          <p role="alert" className="field-error">
            Could not load the aliases: {aliases.error.message}
          </p>
        )}
      </div>
      <ScopeRules
        key={aliasId}
        projectId={projectId}
        aliasId={aliasId}
        scopeName={scopeName}
        canEdit={canEdit}
        onUnsavedOrder={setOrderUnsaved}
      />
    </div>
  );
}
