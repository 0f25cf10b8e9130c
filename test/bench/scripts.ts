// What a page costs in scripts (issue 23): the files a browser fetches for
// the topic page, against what any Remix page must load (the client entry and
// the framework's chunk), counted from the build's own manifest, gzipped as
// they are sent.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { loadBuild } from "../../server";

type Weight = { files: number; gzipBytes: number; empty: number };

function weigh(files: string[]): Weight {
  let gzipBytes = 0;
  let empty = 0;
  for (const f of files) {
    const body = fs.readFileSync(path.join("public", f));
    gzipBytes += zlib.gzipSync(body).length;
    // A 100-byte chunk is an empty stand-in for a .server module (module.exports = {}).
    if (body.length <= 128 && body.includes("exports={}")) empty++;
  }
  return { files: files.length, gzipBytes, empty };
}

export async function scriptWeight(routeId = "routes/t.$topic._index"): Promise<{ page: Weight; remix: Weight }> {
  const { assets } = await loadBuild();
  const entry = [assets.entry.module, ...assets.entry.imports];
  const route = (id: string) => [assets.routes[id].module, ...(assets.routes[id].imports ?? [])];
  return { page: weigh([...new Set([...entry, ...route("root"), ...route(routeId)])]), remix: weigh([...new Set(entry)]) };
}
