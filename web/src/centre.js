// The centre's phone number, written into the bundle by build.mjs from config/centre.yml (its one
// place). A page can still override it with data-centre-phone.
/* global __CENTRE_PHONE__ */
export const CENTRE_PHONE = typeof __CENTRE_PHONE__ === "string" ? __CENTRE_PHONE__ : "";
