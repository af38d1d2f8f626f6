// The app's colour scheme: the system's palette (the default), or Fusion light or dark for
// desktops whose theme Qt does not follow.
#pragma once

#include <QString>

namespace moonpane::Appearance {

enum class Scheme { System, Light, Dark };

Scheme fromString(const QString &name); // "system", "light", "dark"
QString toString(Scheme scheme);
// Applies the scheme to the whole application; every widget gets a PaletteChange.
void apply(Scheme scheme);

} // namespace moonpane::Appearance
