import { SECRET_MASK } from "@switchyard/api";
import { CheckField, TextField } from "../components/Field.js";
import { errorsAt } from "./form-errors.js";
import { RowsFieldset, type RowsProps } from "./RowsFieldset.js";
import { type HeaderDraft, rowKey } from "./rule-draft.js";

/**
 * The headers a rule sets on the upstream request. A secret's value is typed into a
 * password input; a stored secret shows the API's mask, and leaving the mask keeps it.
 */
export function HeaderRows({ rows, onChange, errors }: RowsProps<HeaderDraft>) {
  return (
    <RowsFieldset
      legend="Headers to add"
      hint={
        <>
          Set on the upstream request after every other header rule. A secret value is stored
          encrypted and never shown again: it reads as {SECRET_MASK}, and leaving {SECRET_MASK}{" "}
          keeps the stored value.
        </>
      }
      listPath="rule.header_config.add"
      errorsId="sy-rules-add-errors"
      rowName="header"
      addLabel="Add a header"
      rows={rows}
      onChange={onChange}
      errors={errors}
      newRow={() => ({ key: rowKey(), name: "", value: "", secret: false })}
      renderRow={({ row, path, label, update }) => (
        <>
          <TextField
            label={`Name of ${label}`}
            name={`${path}.name`}
            value={row.name}
            onChange={(name) => update({ name })}
            error={[...errorsAt(errors, path), ...errorsAt(errors, `${path}.name`)]}
            placeholder="x-api-key"
          />
          <TextField
            label={`Value of ${label}`}
            name={`${path}.value`}
            type={row.secret ? "password" : "text"}
            autoComplete={row.secret ? "new-password" : "off"}
            value={row.value}
            onChange={(value) => update({ value })}
            error={errorsAt(errors, `${path}.value`)}
          />
          <CheckField
            label={`Secret (${label})`}
            name={`${path}.secret`}
            checked={row.secret}
            onChange={(secret) => update({ secret })}
            error={errorsAt(errors, `${path}.secret`)}
          />
        </>
      )}
    />
  );
}
