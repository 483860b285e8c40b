/** Keys, key agreement, key derivation, AEAD ciphers and the keyed chunk id. */
@NullMarked
package dev.bakare.internal.crypto;

import org.jspecify.annotations.NullMarked;
