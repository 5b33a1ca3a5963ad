// The /chat service: a masked conversation per booking (WebSocket on the conversation's object, REST beside it),
// reports and blocks, and the moderation queue.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";
import { registerChatCase } from "./admin-case-get";
import { registerResolveChatCase } from "./admin-case-resolve";
import { registerChatCases } from "./admin-cases";
import { registerListChatMessages } from "./messages-list";
import { registerSendChatMessage } from "./messages-send";
import { registerChatReports } from "./report";
import { registerChatTicket } from "./ticket";
import { registerChatSocket } from "./ws";

export const chat = createApp();
registerHealth(chat, "chat");
registerChatTicket(chat);
registerChatSocket(chat);
registerSendChatMessage(chat);
registerListChatMessages(chat);
registerChatReports(chat);
registerChatCases(chat);
registerChatCase(chat);
registerResolveChatCase(chat);
