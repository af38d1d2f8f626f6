// The commands of moonpane-cli that work on the saved conversations (the database the app uses,
// which may be open in the app at the same time): list, export, import, search.
#pragma once

#include <QStringList>

namespace moonpane::cli::StoreCommands {

int list(const QStringList &arguments);
int exportConversations(const QStringList &arguments);
int importConversations(const QStringList &arguments);
int search(const QStringList &arguments);

} // namespace moonpane::cli::StoreCommands
