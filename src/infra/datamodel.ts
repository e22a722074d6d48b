// The Prisma datamodel as the hand-written SQL paths need it: each model's fields by name. Table
// and column names are the model and field names (the schema maps none of them).
import { getDatamodel } from '../generated/pothos-prisma-types.ts';

/** One field of a model, as the generated datamodel describes it. */
export interface FieldModel {
  name: string;
  kind: string;
  type: string;
  isList: boolean;
  isId: boolean;
  /** False for a nullable column. */
  isRequired: boolean;
  relationName?: string;
  relationFromFields?: string[];
}

/** Every model's fields, by model name and then field name. */
export const MODELS: ReadonlyMap<string, ReadonlyMap<string, FieldModel>> = new Map(
  Object.entries(getDatamodel().datamodel.models).map(([name, model]) => [
    name,
    new Map((model.fields as unknown as FieldModel[]).map((field) => [field.name, field])),
  ]),
);
