// The residents' pages: /contribute/withdraw (the code after '#') or /contribute/{code}.
import "./contribute.css";
import { start as contribute } from "./contribute.js";
import { start as withdrawal } from "./withdraw.js";

const rest = location.pathname.replace(/^\/contribute\/?/, "").replace(/\/$/, "");
if (rest === "withdraw") withdrawal();
else contribute(decodeURIComponent(rest));
