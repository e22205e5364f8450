import { config } from "zod/mini";
import { en } from "zod/locales";

/**
 * English issue messages for zod/mini, the zod the functions use (its functions tree-shake; classic
 * zod's methods pull all of zod, about 445 KiB, into a bundle). Unlike classic zod, mini registers no
 * locale, and without one every issue reads "Invalid input". A module that parses with zod/mini
 * imports this for its effect, so the ingest API's 400s and the quarantine reasons keep naming what is
 * wrong. The setting is global (one per process), as classic zod's own registration is.
 */
config(en());
