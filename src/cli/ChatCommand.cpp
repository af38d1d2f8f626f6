#include "ChatCommand.h"

#include "CliTools.h"
#include "Console.h"
#include "InterruptNotifier.h"
#include "api/ChatClient.h"
#include "api/LocalFile.h"
#include "api/WireRecorder.h"
#include "api/WireTrace.h"
#include "conversation/ChatSession.h"
#include "media/MediaImporter.h"
#include "storage/ConversationStore.h"
#include "storage/MessageCodec.h"
#include "storage/PrivateFiles.h"
#include "storage/SecretStore.h"
#include "storage/Settings.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <memory>

using namespace Qt::StringLiterals;

namespace moonpane::cli {

namespace {

// A file given on the command line: regular files only, no larger than a request can be.
bool readFile(const QString &path, QByteArray *out, QString *error)
{
    return LocalFile::read(path, ChatRequest::kMaxBodyBytes, out, error);
}

bool readJsonFile(const QString &path, QJsonDocument *out, QString *error)
{
    QByteArray bytes;
    if (!readFile(path, &bytes, error))
        return false;
    QJsonParseError parseError;
    *out = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = u"%1 is not valid JSON: %2 at byte %3"_s.arg(path, parseError.errorString())
                     .arg(parseError.offset);
        return false;
    }
    return true;
}

// The reply as --output json prints it.
QJsonObject replyObject(const Message &reply)
{
    QJsonArray toolCalls;
    for (const ToolCall &toolCall : reply.toolCalls)
        toolCalls.append(toolCall.toJson());
    QJsonObject object {
        {u"role"_s, u"assistant"_s},
        {u"content"_s, reply.content},
        {u"reasoning_content"_s, reply.hasReasoning ? QJsonValue(reply.reasoning) : QJsonValue()},
        {u"tool_calls"_s, toolCalls},
        {u"finish_reason"_s, reply.finishReason.isEmpty() ? QJsonValue() : QJsonValue(reply.finishReason)},
        {u"usage"_s, reply.usage ? QJsonValue(reply.usage->raw) : QJsonValue()},
        {u"incomplete"_s, reply.state != MessageState::Complete},
    };
    if (reply.error.isError()) {
        const ApiError &error = reply.error;
        QJsonObject errorObject {{u"message"_s, error.message}, {u"summary"_s, error.summary()}};
        if (error.httpStatus)
            errorObject.insert(u"status"_s, error.httpStatus);
        if (!error.code.isEmpty())
            errorObject.insert(u"code"_s, error.code);
        if (error.retryAfterSeconds)
            errorObject.insert(u"retry_after"_s, *error.retryAfterSeconds);
        object.insert(u"error"_s, errorObject);
    }
    return object;
}

// The end of the text output, and the exit code for how the reply ended.
int finish(const ChatOptions &options, const Message &reply, bool interrupted)
{
    const bool text = options.output == ChatOptions::Output::Text;
    if (text) {
        if (!reply.content.isEmpty() && !reply.content.endsWith(u'\n'))
            Console::out(u"\n"_s);
        for (const ToolCall &toolCall : reply.toolCalls)
            Console::error(u"tool call %1: %2 %3"_s.arg(toolCall.id, toolCall.name, toolCall.arguments));
        if (reply.finishReason == "length"_L1)
            Console::error(u"note: the reply stopped at the token limit (finish_reason: length)"_s);
    }
    const QString kept = options.save
        ? u" What arrived is saved as an incomplete reply; Continue it in the app."_s
        : QString();
    const ApiError &error = reply.error;
    switch (reply.state) {
    case MessageState::Complete:
        return ExitComplete;
    case MessageState::Failed:
        Console::error(u"error: "_s + error.summary());
        Console::error(u"hint: "_s + error.advice());
        return error.kind == ApiError::Kind::Http || error.kind == ApiError::Kind::Stream ? ExitApiError
                                                                                          : ExitIncomplete;
    case MessageState::Streaming:
    case MessageState::Incomplete:
        break;
    }
    if (interrupted) {
        Console::error(u"interrupted."_s
                       + (options.save ? kept : u" The reply is incomplete; what arrived is printed."_s));
        return ExitInterrupted;
    }
    Console::error(u"error: "_s + error.summary() + u" The reply is incomplete."_s + kept);
    return ExitIncomplete;
}

} // namespace

bool ChatCommand::buildRequest(const ChatOptions &options, ChatRequest *request, QString *error)
{
    request->parameters = options.parameters;
    ChatParameters &p = request->parameters;

    if (!options.toolsFile.isEmpty()) {
        QJsonDocument tools;
        if (!readJsonFile(options.toolsFile, &tools, error))
            return false;
        if (!tools.isArray()) {
            *error = u"%1 must hold a JSON array of tools"_s.arg(options.toolsFile);
            return false;
        }
        p.tools = tools.array();
    }
    if (options.responseFormat == "text"_L1) {
        p.responseFormat = ResponseFormat::Text;
    } else if (options.responseFormat == "json_object"_L1) {
        p.responseFormat = ResponseFormat::JsonObject;
    } else if (options.responseFormat.startsWith("json_schema="_L1)) {
        const QString path = options.responseFormat.mid(12);
        QJsonDocument schema;
        if (!readJsonFile(path, &schema, error))
            return false;
        if (!schema.isObject()) {
            *error = u"%1 must hold a JSON object {\"name\", \"schema\"}"_s.arg(path);
            return false;
        }
        p.responseFormat = ResponseFormat::JsonSchema;
        p.jsonSchema = schema.object();
    }

    if (!options.system.isEmpty())
        request->messages.append(ChatMessage::system(options.system));
    if (!options.historyFile.isEmpty()) {
        QByteArray bytes;
        if (!readFile(options.historyFile, &bytes, error))
            return false;
        QList<ChatMessage> history;
        if (!ChatMessage::listFromJson(bytes, &history, error)) {
            *error = u"%1: %2"_s.arg(options.historyFile, *error);
            return false;
        }
        request->messages.append(history);
    }

    QString prompt = options.prompt;
    if (options.promptFromStdin) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            *error = u"cannot read the prompt from standard input"_s;
            return false;
        }
        // Bounded like a file: /dev/zero on standard input must not eat all memory.
        QByteArray bytes;
        if (!LocalFile::readUpTo(&in, ChatRequest::kMaxBodyBytes, &bytes)) {
            *error = u"the prompt on standard input is larger than %1, more than a request can hold"_s.arg(
                LocalFile::megabytes(ChatRequest::kMaxBodyBytes));
            return false;
        }
        prompt = QString::fromUtf8(bytes);
    }
    ChatMessage user = ChatMessage::user(prompt);
    if (!options.attachments.isEmpty()) {
        if (!prompt.isEmpty())
            user.parts.append(ContentPart::fromText(prompt)); // text first, then the media
        for (const QString &spec : options.attachments) {
            ContentPart part;
            if (!loadAttachment(spec, options.maxImageEdge, &part, error))
                return false;
            user.parts.append(part);
        }
        user.content.clear();
    }
    if (!user.hasContent()) {
        *error = u"the prompt is empty: give it as an argument or on standard input"_s;
        return false;
    }
    request->messages.append(user);
    return true;
}

bool ChatCommand::loadAttachment(const QString &spec, int maxImageEdge, ContentPart *out, QString *error)
{
    // ms:// references pass through; a prefix says whether it is a video (image by default).
    for (const auto &[prefix, video] :
         {std::pair {"image:"_L1, false}, std::pair {"video:"_L1, true}, std::pair {""_L1, false}}) {
        if (spec.startsWith(prefix) && QStringView(spec).mid(prefix.size()).startsWith(u"ms://"_s)) {
            const QByteArray url = spec.mid(prefix.size()).toUtf8();
            *out = video ? ContentPart::fromVideoUrl(url) : ContentPart::fromImageUrl(url);
            return true;
        }
    }
    if (!m_derived) {
        m_derived = std::make_unique<QTemporaryDir>();
        if (!m_derived->isValid()) {
            *error = u"cannot make a temporary folder for attachments: %1"_s.arg(m_derived->errorString());
            return false;
        }
    }
    ImportOptions options;
    options.derivedDir = m_derived->path();
    options.maxImageEdge = maxImageEdge; // exact bytes unless asked
    options.turnUpright = maxImageEdge > 0;
    const ImportedMedia imported = MediaImporter::importFile(spec, options);
    if (!imported.ok()) {
        *error = imported.error;
        return false;
    }
    *out = ContentPart::fromMedia(imported.media.sent());
    return true;
}

int ChatCommand::run(const QStringList &arguments)
{
    ChatOptions options;
    QString error;
    bool help = false;
    if (!ChatOptions::parse(arguments, &options, &error, &help)) {
        Console::error(u"error: %1\nRun 'moonpane-cli chat --help' for the options."_s.arg(error));
        return ExitUsage;
    }
    if (help) {
        Console::out(ChatOptions::helpText());
        return ExitComplete;
    }
    ChatRequest request;
    if (!buildRequest(options, &request, &error)) {
        Console::error(u"error: "_s + error);
        return ExitUsage;
    }

    // The turn runs in a conversation: the saved one with --save, else one kept in memory. Either
    // way it is the app's engine (ChatSession) that builds, checks and sends the request.
    const bool saved = options.save && !options.dryRun;
    std::unique_ptr<ConversationLibrary> library;
    ConversationStore *store = nullptr;
    if (saved) {
        auto opened = std::make_unique<ConversationStore>();
        if (!opened->open({}, &error, false)) {
            Console::error(u"error: "_s + error);
            return ExitStorage;
        }
        QObject::connect(opened.get(), &ConversationStore::storageFailed, opened.get(),
                         [](const QString &message) { Console::error(u"warning: "_s + message); });
        store = opened.get();
        library = std::move(opened);
    } else {
        library = std::make_unique<ConversationLibrary>();
    }
    const bool fresh = options.conversationId == 0;
    Conversation *conversation = nullptr;
    if (fresh) {
        conversation = library->create();
        conversation->systemPrompt = options.system;
        // The --history messages become the start of the conversation, system messages included.
        qint64 parent = 0;
        const qsizetype first = options.system.isEmpty() ? 0 : 1; // the --system message is the prompt
        for (qsizetype i = first; i + 1 < request.messages.size(); ++i) {
            Message earlier = Message::fromChatMessage(request.messages.at(i));
            earlier.parentId = parent;
            parent = conversation->add(earlier);
        }
    } else {
        conversation = library->conversation(options.conversationId);
        if (!conversation) {
            Console::error(u"error: there is no conversation %1 in %2 (moonpane-cli list shows them)"_s
                               .arg(options.conversationId)
                               .arg(store->path()));
            return ExitUsage;
        }
        if (!options.system.isEmpty())
            conversation->systemPrompt = options.system;
    }

    ChatClient client;
    ChatSession session(&client, conversation);
    session.setOverride(request.parameters);
    const bool text = options.output == ChatOptions::Output::Text;
    CliTools tools;
    if (!tools.setUp(options, request.parameters.tools, &error)) {
        Console::error(u"error: "_s + error);
        if (store && fresh) {
            store->remove(conversation->id);
            store->commitRemove();
        }
        return ExitUsage;
    }
    tools.attach(&session, text);
    const Message user = Message::fromChatMessage(request.messages.constLast());
    const auto refuse = [&](const QStringList &problems) {
        for (const QString &problem : problems)
            Console::error(u"error: "_s + problem);
        return ExitUsage;
    };
    if (options.dryRun) {
        QByteArray body;
        if (const QStringList problems = session.preview(user.content, user.parts, &body);
            !problems.isEmpty())
            return refuse(problems);
        Console::out(QString::fromUtf8(body) + u'\n');
        return ExitComplete;
    }
    Endpoint endpoint;
    if (!resolveEndpoint(options, &endpoint))
        return ExitUsage;
    client.setEndpoint(endpoint);
    std::unique_ptr<QFile> traceFile;
    std::unique_ptr<WireTrace> trace;
    if (!options.traceFile.isEmpty()) {
        traceFile = std::make_unique<QFile>(options.traceFile);
        if (!PrivateFiles::open(traceFile.get(), QIODevice::WriteOnly | QIODevice::Truncate)) {
            Console::error(u"error: cannot write the trace to %1: %2"_s.arg(options.traceFile,
                                                                            traceFile->errorString()));
            return ExitUsage;
        }
        trace = std::make_unique<WireTrace>(traceFile.get());
        trace->setSecret(endpoint.apiKey); // ChatCall masks it already; twice is cheap
    }
    if (trace)
        session.wire()->addSink(trace.get()); // the file is one sink of the session's wire recorder
    if (store)
        store->metaChanged(conversation);

    InterruptNotifier interrupt; // before the request goes out, so no signal is missed
    if (const QStringList problems = session.send(user.content, user.parts); !problems.isEmpty()) {
        if (store && fresh) {
            store->remove(conversation->id);
            store->commitRemove();
        }
        return refuse(problems);
    }
    if (store) {
        store->nameFromFirstMessage(conversation->id);
        store->touch(conversation->id);
    }

    // Each reply is printed as it grows: reasoning on stderr, the answer on stdout. A turn with
    // tools has a reply per round; the last one is the answer.
    const qint64 firstReplyId = session.streamingMessageId();
    const qint64 userId = conversation->message(firstReplyId)->parentId;
    qint64 replyId = firstReplyId;
    qsizetype shownContent = 0;
    qsizetype shownReasoning = 0;
    bool reasoningOpen = false;
    QObject::connect(&session, &ChatSession::replyStarted, &session, [&](qint64 id) {
        replyId = id;
        shownContent = 0;
        shownReasoning = 0;
    });
    if (text) {
        QObject::connect(&session, &ChatSession::replyProgressed, &session, [&] {
            const Message *m = conversation->message(replyId);
            if (m->reasoning.size() > shownReasoning) {
                Console::err(m->reasoning.mid(shownReasoning));
                shownReasoning = m->reasoning.size();
                reasoningOpen = true;
            }
            if (m->content.size() > shownContent) {
                if (reasoningOpen) {
                    Console::err(u"\n\n"_s); // reasoning ends where content starts
                    reasoningOpen = false;
                }
                Console::out(m->content.mid(shownContent));
                shownContent = m->content.size();
            }
        });
    }
    // SIGINT/SIGTERM stop the turn: what arrived is printed (JSON included) and kept, then exit 130.
    bool interrupted = false;
    QObject::connect(&interrupt, &InterruptNotifier::interrupted, &session, [&] {
        interrupted = true;
        tools.runner()->stop();
    });
    // The turn ends when a reply ends it, or when it asks for tools nothing here can run.
    QObject::connect(&session, &ChatSession::stateChanged, QCoreApplication::instance(),
                     [](ChatSession::TurnState state) {
                         if (state == ChatSession::TurnState::Done || state == ChatSession::TurnState::Failed
                             || state == ChatSession::TurnState::Stopped)
                             QCoreApplication::quit();
                     });
    QObject::connect(tools.runner(), &ToolRunner::unanswerable, QCoreApplication::instance(),
                     &QCoreApplication::quit);
    QCoreApplication::exec();

    if (store) {
        store->touch(conversation->id);
        store->flush();
    }
    const Message reply = *conversation->message(replyId);
    if (text && reasoningOpen)
        Console::err(u"\n"_s);
    if (!text) {
        QJsonObject object = replyObject(reply);
        // Every message this run added after the user message, in wire format.
        QJsonArray messages;
        const QList<qint64> &path = conversation->path();
        for (qsizetype i = path.indexOf(userId) + 1; i > 0 && i < path.size(); ++i) {
            if (const Message *m = conversation->message(path.at(i)))
                messages.append(QJsonDocument::fromJson(m->toChatMessage().toJson()).object());
        }
        object.insert(u"messages"_s, messages);
        object.insert(u"tool_runs"_s, tools.runsJson());
        object.insert(u"rounds"_s, session.round());
        if (session.stoppedAtRoundLimit())
            object.insert(u"stopped"_s, u"max_tool_rounds"_s);
        if (store) {
            object.insert(u"conversation_id"_s, MessageCodec::idText(conversation->id));
            object.insert(u"message_id"_s, MessageCodec::idText(replyId));
        }
        Console::jsonLine(object);
    }
    return finish(options, reply, interrupted);
}

bool ChatCommand::resolveEndpoint(const ChatOptions &options, Endpoint *out)
{
    const Settings settings;
    Endpoint endpoint = settings.endpoint();
    const QString baseUrl = options.baseUrl.isEmpty() ? settings.effectiveBaseUrl() : options.baseUrl;
    endpoint.baseUrl = QUrl(baseUrl.trimmed(), QUrl::StrictMode); // checked here, before anything is sent
    if (!endpoint.baseUrl.isValid() || endpoint.baseUrl.host().isEmpty()
        || (endpoint.baseUrl.scheme() != "http"_L1 && endpoint.baseUrl.scheme() != "https"_L1)) {
        Console::error(u"error: the base URL \"%1\" is not an http(s) URL"_s.arg(baseUrl));
        return false;
    }
    // Consent to plain http is given per run here; the app's saved choice does not carry over.
    endpoint.allowInsecure = options.allowInsecure;
    if (const ApiError refusal = ChatClient::insecureRefusal(endpoint); refusal.isError()) {
        Console::error(u"error: "_s + refusal.message
                       + u"\nhint: use an https:// URL, or pass --allow-insecure "
                         "if you accept that."_s);
        return false;
    }

    endpoint.apiKey = qEnvironmentVariable(SecretStore::kApiKeyVariable).trimmed();
    if (endpoint.apiKey.isEmpty()) {
        SecretStore secrets;
        const SecretStore::Result stored = secrets.readApiKeySync();
        if (!stored.ok()) {
            Console::error(
                u"error: no API key. Set the MOONPANE_API_KEY environment variable, or save a key in "
                "Moonpane (Settings → Account), which keeps it in the system keychain.\n(keychain: %1)"_s.arg(
                    stored.message()));
            return false;
        }
        endpoint.apiKey = stored.secret.trimmed();
    }
    *out = endpoint;
    return true;
}

} // namespace moonpane::cli
