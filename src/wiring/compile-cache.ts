/**
 * V8's compile cache for the modules the bot loads (Node's module.enableCompileCache, in the
 * system's temporary folder unless NODE_COMPILE_CACHE says where; NODE_DISABLE_COMPILE_CACHE=1
 * turns it off): every start after the first reuses the compiled code instead of compiling some
 * 500 files again. Imported first by src/main.ts, so it is on before anything else is loaded.
 * Where the folder cannot be written, Node carries on without it.
 */
import { enableCompileCache } from 'node:module';

enableCompileCache();
