import { stackConfigSchema } from "../infra/config";
const s: any = stackConfigSchema;
function show(x: any, depth = 0, key = "root") {
  const d = x.def;
  const pad = "  ".repeat(depth);
  console.log(pad + key, d.type, Object.keys(d).join(","), d.checks ? d.checks.map((c: any) => JSON.stringify(c._zod.def)).join(" ") : "", x.description ?? "");
  if (depth > 3) return;
  if (d.type === "object") for (const [k, v] of Object.entries(d.shape)) show(v, depth + 1, k);
  else if (d.innerType) show(d.innerType, depth + 1, "(inner)");
  else if (d.type === "pipe") { show(d.in, depth + 1, "(in)"); }
  else if (d.type === "union") d.options.forEach((o: any, i: number) => show(o, depth + 1, "opt" + i));
  else if (d.type === "array") show(d.element, depth + 1, "(el)");
  else if (d.type === "record") { show(d.keyType, depth + 1, "(key)"); show(d.valueType, depth + 1, "(val)"); }
}
show(s);
