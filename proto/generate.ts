/**
 * Regenerates `proto/gen/*_pb.ts` from `proto/*.proto` with protobuf-es
 * (`deno task proto`).
 *
 * The code generator and the `buf` compiler come from npm (run through
 * `npm exec` in a temporary directory); the generated imports are then
 * rewritten to full `npm:` specifiers so the library needs no import map.
 *
 * @module
 */
const PROTOBUF_VERSION = "2.17.0";
const BUF_VERSION = "1.75.0";

const protoDir = new URL(".", import.meta.url).pathname;
const outDir = `${protoDir}gen`;
const work = await Deno.makeTempDir({ prefix: "mosh-proto-" });
try {
  await Deno.writeTextFile(
    `${work}/buf.gen.yaml`,
    [
      "version: v2",
      "plugins:",
      "  - local: protoc-gen-es",
      "    out: gen",
      "    opt: [target=ts, import_extension=ts]",
      "",
    ].join("\n"),
  );
  const { success } = await new Deno.Command("npm", {
    args: [
      "exec",
      "--yes",
      `--package=@bufbuild/buf@${BUF_VERSION}`,
      `--package=@bufbuild/protoc-gen-es@${PROTOBUF_VERSION}`,
      "--",
      "buf",
      "generate",
      protoDir,
      "--template",
      "buf.gen.yaml",
    ],
    cwd: work,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!success) {
    throw new Error("buf generate failed: is npm installed and the registry reachable?");
  }
  await Deno.mkdir(outDir, { recursive: true });
  for await (const entry of Deno.readDir(`${work}/gen`)) {
    const text = await Deno.readTextFile(`${work}/gen/${entry.name}`);
    const rewritten = text.replaceAll(
      /from "@bufbuild\/protobuf([^"]*)"/g,
      `from "npm:@bufbuild/protobuf@${PROTOBUF_VERSION}$1"`,
    );
    await Deno.writeTextFile(`${outDir}/${entry.name}`, rewritten);
    console.log(`proto/gen/${entry.name}`);
  }
} finally {
  await Deno.remove(work, { recursive: true });
}
